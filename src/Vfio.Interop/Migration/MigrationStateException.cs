using Vfio.Devices;

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
