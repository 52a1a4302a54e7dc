using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Manager.Migration;

/// <summary>
/// Resume and abort: finishes what an interrupted or moved-away operation left. Resume brings a source back to
/// RUNNING (refusing one whose state moved away unless forced, and never while its destination is seen to run); abort
/// resets and stops a device that must not run the guest and retires it. Either first ends an interrupted operation
/// the migration journal names.
/// </summary>
internal sealed class MigrationRecovery(MigrationContext context)
{
    /// <summary>resume: see <see cref="MigrationOrchestrator.Resume"/>.</summary>
    public MigrationOutcome Resume(MigrationSource source, Func<string, MigrationEndpoint>? openHost, bool force)
    {
        ArgumentNullException.ThrowIfNull(source);
        var outcome = new MigrationOutcome { Source = source.Device };
        MigrationJournal journal = MigrationJournal.Of(source.Endpoint);
        try
        {
            if (journal.Find(source.Device) is { } entry)
            {
                outcome.Interrupted = true;
                if (entry.Operation == MigrationJournalEntry.Load)
                {
                    if (entry.Loaded && LoadHadFinished(source.Endpoint, source.Device))
                    {
                        // Killed between the destination's last arc and the journal's removal: the load is complete.
                        journal.Remove(source.Device);
                        outcome.SourceState = MigrationState.Running;
                        return outcome;
                    }
                    throw ManagerErrors.ResumeOfLoadDestination(source.Device, entry);
                }
                context.Logger.InterruptedMigrationFound(source.Device.ToString(), entry.Operation, "resume");
                if (entry.Operation == MigrationJournalEntry.Save && entry.StateMayHaveLeft)
                {
                    // Killed while or after the end record went out: the whole state may have reached a destination.
                    journal.MarkMoved(source.Device, MovedAwayRecord.Now(MovedAwayRecord.StreamSent, MigrationJournalEntry.Save, null, null));
                    journal.Remove(source.Device);
                }
                else if (FinishInterruptedDestination(source.Endpoint, entry, openHost, outcome, code: "resume"))
                {
                    journal.MarkMoved(source.Device, MovedAwayRecord.Now(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Migrate, entry.Destination, entry.DestinationRoot));
                    journal.Remove(source.Device);
                    throw ManagerErrors.AlreadySwitchedOver(source.Device, entry.Destination);
                }
            }
            if (journal.FindMoved(source.Device) is { } moved)
            {
                RequireForced(source, moved, force, openHost);
                outcome.Forced = moved;
                context.Logger.ResumeForced(source.Device.ToString(), moved.Describe());
                journal.AppendLog($"resume --force {source.Device}: {moved.Describe()}; the operator asserted that no other device runs its state");
            }
            using OpenedDevice device = MigrationContext.Open(source.Endpoint, source.Device);
            MigrationState state = device.Driver.GetState();
            if (state == MigrationState.Running && (outcome.Interrupted || outcome.Forced is not null))
            {
                // Killed before its first arc: the source never stopped; the journal alone was left.
                journal.Remove(source.Device);
                journal.ClearMoved(source.Device);
                outcome.SourceState = state;
                return outcome;
            }
            if (state == MigrationState.Running)
            {
                outcome.SourceState = state;
                outcome.Exception = ManagerErrors.DeviceStateConflict(source.Device,
                    "is already RUNNING; there is nothing to resume", state.ToString(), "a stopped source");

                return outcome;
            }
            (RecoveryOutcome how, MigrationState now) = device.Driver.Recover(RecoveryPolicy.Source);
            context.Logger.RolledBack(device.Name, now, how.ToString(), "resume");
            outcome.SourceState = now;
            if (outcome.Interrupted)
            {
                journal.Remove(source.Device);
            }
            if (outcome.Forced is not null)
            {
                journal.ClearMoved(source.Device);
            }
        }
        catch (VfioException e)
        {
            outcome.Exception = e;
        }
        return outcome;
    }

    // A source whose state moved away resumes only when forced, and never while its destination is seen to run.
    private static void RequireForced(MigrationSource source, MovedAwayRecord moved, bool force, Func<string, MigrationEndpoint>? openHost)
    {
        if (!force)
        {
            throw ManagerErrors.NotResumedStateMoved(source.Device, moved);
        }
        if (moved.Kind != MovedAwayRecord.Retired && MdevUuid.TryParse(moved.Destination, out MdevUuid destination)
            && (moved.DestinationRoot is null ? source.Endpoint : openHost?.Invoke(moved.DestinationRoot)) is { } host
            && MigrationContext.Exists(host, destination))
        {
            using OpenedDevice opened = MigrationContext.Open(host, destination);
            if (opened.Driver.GetState() == MigrationState.Running)
            {
                throw ManagerErrors.NotResumedDestinationRuns(source.Device, moved, destination);
            }
        }
    }

    /// <summary>abort: see <see cref="MigrationOrchestrator.Abort"/>.</summary>
    public MigrationOutcome Abort(MigrationEndpoint host, MdevUuid device, Func<string, MigrationEndpoint>? openHost)
    {
        ArgumentNullException.ThrowIfNull(host);
        var outcome = new MigrationOutcome { Destination = device };
        MigrationJournal journal = MigrationJournal.Of(host);
        try
        {
            MigrationJournalEntry? entry = journal.Find(device);
            if (entry is not null)
            {
                outcome.Interrupted = true;
                context.Logger.InterruptedMigrationFound(device.ToString(), entry.Operation, "abort");
                if (entry.Operation == MigrationJournalEntry.Load && entry.DestinationCreated)
                {
                    outcome.DestinationState = RemoveCreated(host, device, outcome);
                    journal.Remove(device);
                    return outcome;
                }
                if (entry.Operation == MigrationJournalEntry.Migrate)
                {
                    FinishInterruptedDestination(host, entry, openHost, new MigrationOutcome(), code: "abort");
                }
            }
            using (OpenedDevice opened = MigrationContext.Open(host, device))
            {
                opened.Touched = true;
                outcome.DestinationState = context.ResetAndStop(opened, "abort");
            }
            // Abort's record: the device must not run the guest, so a later resume needs --force.
            MovedAwayRecord? earlier = journal.FindMoved(device);
            journal.MarkMoved(device, MovedAwayRecord.Now(MovedAwayRecord.Retired, "abort", earlier?.Destination ?? entry?.Destination, earlier?.DestinationRoot ?? entry?.DestinationRoot));
            if (entry is not null)
            {
                journal.Remove(device);
            }
        }
        catch (VfioException e)
        {
            outcome.Exception = e;
        }
        return outcome;
    }

    // The destination of an interrupted migrate: true when it runs (the switchover happened; leave it); otherwise it
    // is reset and stopped, or removed when the migration created it.
    private bool FinishInterruptedDestination(MigrationEndpoint sourceHost, MigrationJournalEntry entry, Func<string, MigrationEndpoint>? openHost,
        MigrationOutcome outcome, string code)
    {
        if (entry.Operation != MigrationJournalEntry.Migrate || !MdevUuid.TryParse(entry.Destination, out MdevUuid destination))
        {
            return false;
        }
        MigrationEndpoint host = entry.DestinationRoot is null ? sourceHost
            : openHost?.Invoke(entry.DestinationRoot) ?? throw ManagerErrors.DestinationHostUnreachable(entry.Source, destination, entry.DestinationRoot);


        outcome.Destination = destination;
        if (!MigrationContext.Exists(host, destination))
        {
            return false;
        }
        using (OpenedDevice opened = MigrationContext.Open(host, destination))
        {
            if (entry.Loaded && opened.Driver.GetState() == MigrationState.Running)
            {
                outcome.DestinationState = MigrationState.Running;
                return true;
            }
            if (!entry.DestinationCreated)
            {
                opened.Touched = true;
                outcome.DestinationState = context.ResetAndStop(opened, code);
                return false;
            }
        }
        outcome.DestinationState = RemoveCreated(host, destination, outcome);
        return false;
    }

    private static bool LoadHadFinished(MigrationEndpoint host, MdevUuid device)
    {
        if (!MigrationContext.Exists(host, device))
        {
            return false;
        }
        using OpenedDevice opened = MigrationContext.Open(host, device);
        return opened.Driver.GetState() == MigrationState.Running;
    }

    private MigrationState? RemoveCreated(MigrationEndpoint host, MdevUuid device, MigrationOutcome outcome)
    {
        if (!MigrationContext.Exists(host, device))
        {
            outcome.DestinationRemoved = true;
            return null;
        }
        host.Tree.Remove(device);
        outcome.DestinationRemoved = true;
        context.Logger.DestinationRemoved(device.ToString(), ErrorCatalogue.Id(ErrorCode.MigrationInterrupted));
        return null;
    }
}
