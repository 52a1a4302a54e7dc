using Vfio;
using Vfio.Devices;
using Vfio.Migration;

namespace Mdev.Manager;

// Step 4: who runs at the end. On success only the destination; on failure only the source.
public sealed partial class MigrationOrchestrator
{
    // The source is stopped (STOP_COPY) before the destination is asked to run, so the two never run together.
    // A cancellation (a signal) is honoured up to the destination's RUNNING arc, the point of no return.
    private Exception? SwitchOver(OpenedDevice src, OpenedDevice dst, MigrationOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Transition(src, MigrationState.Stop)?.Dispose();
            outcome.SourceState = src.Driver.GetState();
            Reach(MigrationCheckpoint.SourceStopped);
            cancellationToken.ThrowIfCancellationRequested();
            Transition(dst, MigrationState.Running)?.Dispose();
            outcome.DestinationState = dst.Driver.GetState();
            Reach(MigrationCheckpoint.DestinationRunning);
            return null;
        }
        catch (Exception e) when (e is VfioException or OperationCanceledException)
        {
            return e;
        }
    }

    // After a failure: the destination is reset and stopped (removed if created here) first, then the source resumes.
    // Disposes both devices.
    private void RollBack(OpenedDevice? src, OpenedDevice? dst, MigrationHost destinationHost, MigrationOutcome outcome)
    {
        string code = outcome.Exception is { } failure ? ErrorCatalogue.Id(failure.Code) : "failure";
        if (dst is not null)
        {
            // An untouched destination holds nothing of the source, but it must not be left running either.
            outcome.DestinationState = dst.Touched ? ResetAndStop(dst, code) : Stop(dst, code);
            dst.Dispose();
        }
        if (outcome.DestinationCreated && outcome.Destination is MdevUuid created)
        {
            try
            {
                destinationHost.Host.Remove(created);
                outcome.DestinationRemoved = true;
                outcome.DestinationState = null;
                _logger.DestinationRemoved(created.ToString(), code);
            }
            catch (VfioException e)
            {
                _logger.RollbackFailed(created.ToString(), e.Message);
            }
        }
        if (src is not null)
        {
            outcome.SourceState = src.Touched ? RollBackSource(src, code) : TryGetState(src);
            src.Dispose();
        }
    }

    // The source policy: back to RUNNING, else VFIO_DEVICE_RESET (which returns the device to RUNNING too).
    private MigrationState? RollBackSource(OpenedDevice src, string code)
    {
        try
        {
            (RecoveryOutcome how, MigrationState state) = src.Driver.Recover(RecoveryPolicy.Source);
            _logger.RolledBack(src.Name, state, how.ToString(), code);
            return state;
        }
        catch (VfioException e)
        {
            _logger.RollbackFailed(src.Name, e.Message);
            return TryGetState(src);
        }
    }

    private MigrationState? Stop(OpenedDevice dst, string code)
    {
        try
        {
            Transition(dst, MigrationState.Stop)?.Dispose();
            return dst.Driver.GetState();
        }
        catch (VfioException)
        {
            return ResetAndStop(dst, code);
        }
    }

    // vfio.h: "To abort a RESUMING session the device must be reset"; reset returns the device to RUNNING, and a
    // destination must not run a guest it never received, so it is then stopped.
    private MigrationState? ResetAndStop(OpenedDevice dst, string code)
    {
        try
        {
            (RecoveryOutcome how, _) = dst.Driver.Recover(RecoveryPolicy.Destination);
            Transition(dst, MigrationState.Stop)?.Dispose();
            MigrationState state = dst.Driver.GetState();
            _logger.RolledBack(dst.Name, state, how.ToString(), code);
            return state;
        }
        catch (VfioException e)
        {
            _logger.RollbackFailed(dst.Name, e.Message);
            return TryGetState(dst);
        }
    }
}
