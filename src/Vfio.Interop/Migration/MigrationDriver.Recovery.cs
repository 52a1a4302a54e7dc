using Vfio.Devices;

namespace Vfio.Migration;

public sealed partial class MigrationDriver
{
    /// <summary>
    /// Runs a recovery policy now, from whatever state the device is in: the recovery state first (unless the
    /// device is in ERROR), then a reset.
    /// </summary>
    /// <param name="policy">The policy.</param>
    /// <returns>What recovery did and the state the device ends in.</returns>
    /// <exception cref="MigrationStateException"><see cref="ErrorCode.RecoveryFailed"/> when every step failed.</exception>
    public (RecoveryOutcome Outcome, MigrationState State) Recover(RecoveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        MigrationState? state = TryGetState(out VfioException? queryFailure);
        var failures = new List<Exception>();
        if (queryFailure is not null)
        {
            failures.Add(queryFailure);
        }
        return RecoverCore(policy, state, state ?? MigrationState.Error, policy.RecoveryState ?? MigrationState.Running, failures);
    }

    private MigrationStateException Failure(MigrationState target, MigrationState from, MigrationState to, MigrationState? left,
        VfioException? cause, RecoveryPolicy? recovery, string message)
    {
        ErrorCode code = left == MigrationState.Error ? ErrorCode.DeviceInErrorState : ErrorCode.DeviceRefusedState;
        RecoveryOutcome outcome = RecoveryOutcome.NotAttempted;
        MigrationState? after = null;
        if (recovery is { IsNone: false })
        {
            var failures = new List<Exception>();
            if (cause is not null)
            {
                failures.Add(cause);
            }
            (outcome, MigrationState reached) = RecoverCore(recovery, left, from, target, failures);
            after = reached;
            message += $"; recovery: {outcome}, now in {reached}";
        }
        return new MigrationStateException(code, message, cause)
        {
            Device = DeviceName,
            Value = $"{from} -> {to}",
            Expected = $"the device to reach {target}",
            Target = target,
            ArcFrom = from,
            ArcTo = to,
            StateLeftIn = left,
            Recovery = outcome,
            StateAfterRecovery = after,
        };
    }

    private (RecoveryOutcome, MigrationState) RecoverCore(RecoveryPolicy policy, MigrationState? left, MigrationState from,
        MigrationState target, List<Exception> failures)
    {
        if (policy.RecoveryState is { } recoveryState && left is { } known && known != MigrationState.Error)
        {
            try
            {
                TransitionTo(recoveryState, recovery: null)?.Dispose();
                return (RecoveryOutcome.ReachedRecoveryState, _protocol.GetState());
            }
            catch (VfioException ex)
            {
                failures.Add(ex);
            }
        }
        if (policy.ResetAllowed)
        {
            try
            {
                _device.Reset();
                MigrationState afterReset = _protocol.GetState();
                if (policy.RecoveryState is { } wanted && wanted != afterReset)
                {
                    TransitionTo(wanted, recovery: null)?.Dispose();
                    afterReset = _protocol.GetState();
                }
                if (afterReset != MigrationState.Error)
                {
                    return (RecoveryOutcome.Reset, afterReset);
                }
                failures.Add(new VfioException(ErrorCode.DeviceInErrorState, $"{DeviceName}: still in ERROR after VFIO_DEVICE_RESET") { Device = DeviceName });
            }
            catch (VfioException ex)
            {
                failures.Add(ex);
            }
        }
        MigrationState? now = TryGetState(out _);
        throw new MigrationStateException(ErrorCode.RecoveryFailed,
            $"{DeviceName}: recovery failed after the arc from {from} towards {target}: " +
            $"{(policy.RecoveryState is { } r ? $"could not reach {r}" : "no recovery state")}" +
            $"{(policy.ResetAllowed ? " and VFIO_DEVICE_RESET did not help" : " and reset is not allowed")}; " +
            $"the device is in {now?.ToString() ?? "an unknown state"} and needs manual attention: " +
            string.Join("; ", failures.Select(f => f.Message)),
            new AggregateException(failures))
        {
            Device = DeviceName,
            Value = now?.ToString() ?? "unknown",
            Expected = policy.RecoveryState?.ToString() ?? "Running after reset",
            Target = target,
            ArcFrom = from,
            ArcTo = target,
            StateLeftIn = left,
            Recovery = RecoveryOutcome.Failed,
            StateAfterRecovery = now,
        };
    }
}
