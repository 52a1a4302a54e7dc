using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// A device failed a migration arc. Says which arc, on the way to which target, the state the device was left in
/// (read back from the device; vfio.h: "current device_state may be the original operating state or some other
/// state along the combination transition path", or ERROR), and what recovery did.
/// </summary>
/// <remarks>
/// <see cref="VfioException.Code"/> is <see cref="ErrorCode.DeviceRefusedState"/> when the device is in a valid
/// state, <see cref="ErrorCode.DeviceInErrorState"/> when it is in ERROR and must be reset, and
/// <see cref="ErrorCode.RecoveryFailed"/> when recovery was asked for and failed too.
/// </remarks>
public sealed class MigrationStateException : VfioException
{
    internal MigrationStateException(ErrorCode code, string message, Exception? innerException)
        : base(code, message, innerException)
    {
    }

    /// <summary>An arc failed: device-in-error-state when the device was left in ERROR, device-refused-state otherwise.</summary>
    /// <param name="device">The device.</param>
    /// <param name="target">The state the caller asked for.</param>
    /// <param name="from">The state the failing arc started from.</param>
    /// <param name="to">The state the failing arc went to.</param>
    /// <param name="left">The state the device reported after the failure, or null.</param>
    /// <param name="recovery">What recovery did.</param>
    /// <param name="after">The state after recovery, or null.</param>
    /// <param name="message">The message: the arc, the device's answer and what recovery did.</param>
    /// <param name="cause">The failure of the arc, if any.</param>
    internal static MigrationStateException ArcFailed(string device, MigrationState target, MigrationState from, MigrationState to,
        MigrationState? left, RecoveryOutcome recovery, MigrationState? after, string message, VfioException? cause) =>
        new(left == MigrationState.Error ? ErrorCode.DeviceInErrorState : ErrorCode.DeviceRefusedState, message, cause)
        {
            Device = device,
            Value = $"{from} -> {to}",
            Expected = $"the device to reach {target}",
            Target = target,
            ArcFrom = from,
            ArcTo = to,
            StateLeftIn = left,
            Recovery = recovery,
            StateAfterRecovery = after,
        };

    /// <summary>recovery-failed: neither the recovery state nor a reset brought the device back.</summary>
    /// <param name="device">The device.</param>
    /// <param name="target">The state the caller asked for (the failing arc went there).</param>
    /// <param name="from">The state the failing arc started from.</param>
    /// <param name="left">The state the device was left in by the arc, or null.</param>
    /// <param name="policy">The recovery policy that was tried.</param>
    /// <param name="now">The state the device is in now, or null when it cannot be read.</param>
    /// <param name="failures">The failures of each recovery step.</param>
    internal static MigrationStateException RecoveryFailed(string device, MigrationState target, MigrationState from, MigrationState? left,
        RecoveryPolicy policy, MigrationState? now, IReadOnlyList<Exception> failures) =>
        new(ErrorCode.RecoveryFailed,
            $"{device}: recovery failed after the arc from {from} towards {target}: " +
            $"{(policy.RecoveryState is { } r ? $"could not reach {r}" : "no recovery state")}" +
            $"{(policy.ResetAllowed ? " and VFIO_DEVICE_RESET did not help" : " and reset is not allowed")}; " +
            $"the device is in {now?.ToString() ?? "an unknown state"} and needs manual attention: " +
            string.Join("; ", failures.Select(f => f.Message)),
            new AggregateException(failures))
        {
            Device = device,
            Value = now?.ToString() ?? "unknown",
            Expected = policy.RecoveryState?.ToString() ?? "Running after reset",
            Target = target,
            ArcFrom = from,
            ArcTo = target,
            StateLeftIn = left,
            Recovery = RecoveryOutcome.Failed,
            StateAfterRecovery = now,
        };

    /// <summary>The state the caller asked for.</summary>
    public MigrationState Target { get; init; }

    /// <summary>The state the failing arc started from.</summary>
    public MigrationState ArcFrom { get; init; }

    /// <summary>The state the failing arc went to.</summary>
    public MigrationState ArcTo { get; init; }

    /// <summary>The state the device reported right after the failure, or null when it could not be read.</summary>
    public MigrationState? StateLeftIn { get; init; }

    /// <summary>What recovery did.</summary>
    public RecoveryOutcome Recovery { get; init; }

    /// <summary>The state after recovery, or null when no recovery ran or it failed.</summary>
    public MigrationState? StateAfterRecovery { get; init; }
}
