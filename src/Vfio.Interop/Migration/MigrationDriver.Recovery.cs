using Vfio.Devices;
using Vfio.Errors;

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
        return MigrationStateException.ArcFailed(DeviceName, target, from, to, left, outcome, after, message, cause);

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
                failures.Add(InteropErrors.StillInErrorAfterReset(DeviceName));
            }
            catch (VfioException ex)
            {
                failures.Add(ex);
            }
        }
        MigrationState? now = TryGetState(out _);
        throw MigrationStateException.RecoveryFailed(DeviceName, target, from, left, policy, now, failures);
    }
}
