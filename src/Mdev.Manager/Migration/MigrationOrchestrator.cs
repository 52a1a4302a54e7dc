using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vfio;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;

namespace Mdev.Manager;

/// <summary>
/// Migrates a mediated device's state in four steps (docs/orchestrator.md): (1) same model, (2) the destination accepts
/// every source parameter and value, both checked with every problem reported before any device state moves;
/// (3) save on the source (pre-copy rounds while it runs, then stop-copy) through the stream envelope into the
/// destination, whose side checks the stream header before it writes a byte into RESUMING; (4) on success only the
/// destination resumes, on failure only the source does.
/// </summary>
/// <remarks>
/// <para>Failures are results, not exceptions: every method returns a <see cref="MigrationOutcome"/> with the error
/// code and the state each side was left in. Rollback puts the source back in RUNNING through
/// <see cref="MigrationDriver"/>'s recovery policy (its recovery state, else a reset), resets the destination and
/// leaves it stopped, and removes a destination device the orchestrator created. Never are both sides running; when
/// neither is (a source stopped by <see cref="SaveAsync"/>, or a rollback that failed) the outcome says so.</para>
/// <para>A failure the orchestrator cannot understand (anything other than a <see cref="VfioException"/>, an I/O
/// error or cancellation, such as the emulated host's injected crash) is treated as the process dying: nothing is
/// rolled back, the exception propagates, and <see cref="Resume"/> or <see cref="Abort"/> clean up afterwards.</para>
/// <para><see cref="SaveAsync"/> and <see cref="LoadAsync"/> are the two halves for cross-host use
/// (<c>vfioctl save A | ssh host vfioctl load B</c>).</para>
/// </remarks>
public sealed partial class MigrationOrchestrator
{
    private readonly ILogger _logger;

    /// <summary>Creates an orchestrator.</summary>
    /// <param name="logger">Where arcs, rounds and rollbacks are logged; null for none.</param>
    public MigrationOrchestrator(ILogger<MigrationOrchestrator>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Called at each <see cref="MigrationCheckpoint"/> a save, load or migration passes, on the thread doing the
    /// step; null for none. The fault matrix makes the CLI block here so it can be killed at an exact point.
    /// </summary>
    public Action<MigrationCheckpoint>? Checkpoint { get; init; }

    /// <summary>
    /// Brings a source that a save left stopped (or a crash left anywhere) back to RUNNING, through the source
    /// recovery policy: its recovery state RUNNING, else a reset. Used when the load on the other side failed.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <returns>The outcome; <see cref="ErrorCode.DeviceStateConflict"/> when the device already runs;
    /// <see cref="ErrorCode.StateMovedAway"/> when its state moved away and <paramref name="force"/> is false.</returns>
    /// <remarks>
    /// <para>When the migration journal names the device (its save or migration was interrupted), the journal is finished
    /// first: the destination of an interrupted one-process migration is reset and stopped (removed if the migration
    /// created it) before the source resumes, and when that destination already runs, the source is left stopped and
    /// the outcome fails with <see cref="ErrorCode.MigrationInterrupted"/> (never two running). The outcome's
    /// <see cref="MigrationOutcome.Interrupted"/> tells that a journal entry was found.</para>
    /// <para>A source whose state moved away (<see cref="MigrationJournal.FindMoved"/>: a save wrote its whole stream, its
    /// destination runs, or <see cref="Abort"/> retired it) is refused with <see cref="ErrorCode.StateMovedAway"/>, as
    /// QEMU refuses to continue a VM left in "postmigrate". <paramref name="force"/> resumes it anyway, logged as a
    /// warning and in the migration log, except when the destination is known to run on a host this call can see.</para>
    /// </remarks>
    /// <param name="openHost">Opens another host by its root, for a journal whose destination lived elsewhere (<c>migrate --to-root</c>); null when there is none.</param>
    /// <param name="force">Resume a source whose state moved away: the operator asserts that no other device runs it.</param>
    public MigrationOutcome Resume(MigrationSource source, Func<string, MigrationHost>? openHost = null, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        var outcome = new MigrationOutcome { Source = source.Device };
        MigrationJournal journal = MigrationJournal.Of(source.Host);
        try
        {
            if (journal.Find(source.Device) is { } entry)
            {
                outcome.Interrupted = true;
                if (entry.Operation == MigrationJournalEntry.Load)
                {
                    if (entry.Loaded && LoadHadFinished(source.Host, source.Device))
                    {
                        // Killed between the destination's last arc and the journal's removal: the load is complete.
                        journal.Remove(source.Device);
                        outcome.SourceState = MigrationState.Running;
                        return outcome;
                    }
                    throw new VfioException(ErrorCode.MigrationInterrupted,
                        $"{source.Device} is the destination of an interrupted load and holds no complete state; 'vfioctl abort {source.Device}' resets it{(entry.DestinationCreated ? " and removes it" : "")}")
                    {
                        Device = source.Device.ToString(),
                        Value = entry.Operation,
                        Expected = "a source",
                    };
                }
                _logger.InterruptedMigrationFound(source.Device.ToString(), entry.Operation, "resume");
                if (entry.Operation == MigrationJournalEntry.Save && entry.StateMayHaveLeft)
                {
                    // Killed while or after the end record went out: the whole state may have reached a destination.
                    journal.MarkMoved(source.Device, Moved(MovedAwayRecord.StreamSent, MigrationJournalEntry.Save, null, null));
                    journal.Remove(source.Device);
                }
                else if (FinishInterruptedDestination(source.Host, entry, openHost, outcome, code: "resume"))
                {
                    journal.MarkMoved(source.Device, Moved(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Migrate, entry.Destination, entry.DestinationRoot));
                    journal.Remove(source.Device);
                    throw new VfioException(ErrorCode.MigrationInterrupted,
                        $"the interrupted migrate of {source.Device} had already switched over: {entry.Destination} runs, so {source.Device} stays stopped; the journal is cleared ('vfioctl abort {source.Device}' resets it)")
                    {
                        Device = source.Device.ToString(),
                        Value = entry.Destination,
                        Expected = "a destination that does not run",
                    };
                }
            }
            if (journal.FindMoved(source.Device) is { } moved)
            {
                RequireForced(source, moved, force, openHost);
                outcome.Forced = moved;
                _logger.ResumeForced(source.Device.ToString(), moved.Describe());
                journal.AppendLog($"resume --force {source.Device}: {moved.Describe()}; the operator asserted that no other device runs its state");
            }
            using OpenedDevice device = Open(source.Host, source.Device);
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
                outcome.Exception = new VfioException(ErrorCode.DeviceStateConflict,
                    $"mediated device {source.Device} is already RUNNING; there is nothing to resume")
                {
                    Device = source.Device.ToString(),
                    Value = state.ToString(),
                    Expected = "a stopped source",
                };
                return outcome;
            }
            (RecoveryOutcome how, MigrationState now) = device.Driver.Recover(RecoveryPolicy.Source);
            _logger.RolledBack(device.Name, now, how.ToString(), "resume");
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
    private static void RequireForced(MigrationSource source, MovedAwayRecord moved, bool force, Func<string, MigrationHost>? openHost)
    {
        if (!force)
        {
            throw new VfioException(ErrorCode.StateMovedAway,
                $"{source.Device} is not resumed: {moved.Describe()}. Running it again could run the guest twice. If the destination runs, 'vfioctl abort {source.Device}' retires this source; " +
                $"if no device runs its state (the load failed, or the stream was never loaded), 'vfioctl resume --force {source.Device}'")
            {
                Device = source.Device.ToString(),
                Value = moved.Kind,
                Expected = "a source whose state did not move away, or --force",
            };
        }
        if (moved.Kind != MovedAwayRecord.Retired && MdevUuid.TryParse(moved.Destination, out MdevUuid destination)
            && (moved.DestinationRoot is null ? source.Host : openHost?.Invoke(moved.DestinationRoot)) is { } host
            && host.Host.Sysfs.Exists(host.Host.Sysfs.Layout.Device(destination)))
        {
            using OpenedDevice opened = Open(host, destination);
            if (opened.Driver.GetState() == MigrationState.Running)
            {
                throw new VfioException(ErrorCode.StateMovedAway,
                    $"{source.Device} is not resumed, even with --force: {moved.Describe()}, and {destination} is RUNNING now; stop or abort {destination} first")
                {
                    Device = source.Device.ToString(),
                    Value = destination.ToString(),
                    Expected = "a destination that does not run",
                };
            }
        }
    }

    private static MovedAwayRecord Moved(string kind, string operation, string? destination, string? destinationRoot) => new()
    {
        Kind = kind,
        Operation = operation,
        Destination = destination,
        DestinationRoot = destinationRoot,
        When = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    /// <summary>
    /// Ends a migration on a device that must not run the guest (a destination after a crash, or a source whose state
    /// now runs elsewhere): the device is reset (<c>VFIO_DEVICE_RESET</c>, the only way out of RESUMING and ERROR) and
    /// left in STOP.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <param name="device">The device.</param>
    /// <returns>The outcome, with the device's final state in <see cref="MigrationOutcome.DestinationState"/>.</returns>
    /// <remarks>When the migration journal names the device, the interrupted migration is ended too: a destination the
    /// interrupted load created is removed, and the destination of an interrupted one-process migration that does not
    /// run yet is reset (removed if created). <see cref="MigrationOutcome.Interrupted"/> tells that an entry was found.</remarks>
    /// <param name="openHost">Opens another host by its root, for a journal whose destination lived elsewhere; null when there is none.</param>
    public MigrationOutcome Abort(MigrationHost host, MdevUuid device, Func<string, MigrationHost>? openHost = null)
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
                _logger.InterruptedMigrationFound(device.ToString(), entry.Operation, "abort");
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
            using (OpenedDevice opened = Open(host, device))
            {
                opened.Touched = true;
                outcome.DestinationState = ResetAndStop(opened, "abort");
            }
            // Abort's record: the device must not run the guest, so a later resume needs --force.
            MovedAwayRecord? earlier = journal.FindMoved(device);
            journal.MarkMoved(device, Moved(MovedAwayRecord.Retired, "abort", earlier?.Destination ?? entry?.Destination, earlier?.DestinationRoot ?? entry?.DestinationRoot));
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
    private bool FinishInterruptedDestination(MigrationHost sourceHost, MigrationJournalEntry entry, Func<string, MigrationHost>? openHost,
        MigrationOutcome outcome, string code)
    {
        if (entry.Operation != MigrationJournalEntry.Migrate || !MdevUuid.TryParse(entry.Destination, out MdevUuid destination))
        {
            return false;
        }
        MigrationHost host = entry.DestinationRoot is null ? sourceHost
            : openHost?.Invoke(entry.DestinationRoot) ?? throw new VfioException(ErrorCode.MigrationInterrupted,
                $"the interrupted migrate of {entry.Source} went to {destination} on the host at {entry.DestinationRoot}, which this command cannot open; end it there with 'vfioctl --emulated {entry.DestinationRoot} abort {destination}'")
            {
                Device = entry.Source,
                Value = entry.DestinationRoot,
            };
        outcome.Destination = destination;
        if (!host.Host.Sysfs.Exists(host.Host.Sysfs.Layout.Device(destination)))
        {
            return false;
        }
        using (OpenedDevice opened = Open(host, destination))
        {
            if (entry.Loaded && opened.Driver.GetState() == MigrationState.Running)
            {
                outcome.DestinationState = MigrationState.Running;
                return true;
            }
            if (!entry.DestinationCreated)
            {
                opened.Touched = true;
                outcome.DestinationState = ResetAndStop(opened, code);
                return false;
            }
        }
        outcome.DestinationState = RemoveCreated(host, destination, outcome);
        return false;
    }

    private static bool LoadHadFinished(MigrationHost host, MdevUuid device)
    {
        if (!host.Host.Sysfs.Exists(host.Host.Sysfs.Layout.Device(device)))
        {
            return false;
        }
        using OpenedDevice opened = Open(host, device);
        return opened.Driver.GetState() == MigrationState.Running;
    }

    private MigrationState? RemoveCreated(MigrationHost host, MdevUuid device, MigrationOutcome outcome)
    {
        if (!host.Host.Sysfs.Exists(host.Host.Sysfs.Layout.Device(device)))
        {
            outcome.DestinationRemoved = true;
            return null;
        }
        host.Host.Remove(device);
        outcome.DestinationRemoved = true;
        _logger.DestinationRemoved(device.ToString(), ErrorCatalogue.Id(ErrorCode.MigrationInterrupted));
        return null;
    }

    private void Reach(MigrationCheckpoint point) => Checkpoint?.Invoke(point);

    private static MigrationJournalEntry JournalEntry(string operation, MigrationSource? source, MigrationDestination? destination, MigrationOutcome outcome,
        bool loaded = false, string phase = MigrationJournalEntry.PhaseStarted) => new()
    {
        Loaded = loaded,
        Phase = phase,
        Operation = operation,
        Source = source?.Device.ToString(),
        Destination = outcome.Destination?.ToString(),
        DestinationRoot = source is not null && destination is not null
            && !string.Equals(source.Host.Host.Sysfs.Layout.Root.FullPath, destination.Host.Host.Sysfs.Layout.Root.FullPath, StringComparison.Ordinal)
            ? destination.Host.Host.Sysfs.Layout.Root.FullPath
            : null,
        DestinationCreated = outcome.DestinationCreated,
        Started = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    private static OpenedDevice Open(MigrationHost host, MdevUuid uuid)
    {
        DeviceConfiguration configuration = host.Host.ReadConfiguration(uuid);
        return Open(host, uuid, configuration);
    }

    private static OpenedDevice Open(MigrationHost host, MdevUuid uuid, DeviceConfiguration configuration)
    {
        IVfioDevice device = host.Opener.Open(uuid, configuration);
        try
        {
            return new OpenedDevice(uuid, device, MigrationDriver.Open(device), configuration);
        }
        catch (VfioException)
        {
            device.Dispose();
            throw;
        }
    }

    private MigrationDataStream? Transition(OpenedDevice device, MigrationState target)
    {
        device.Touched = true;
        MigrationState from = device.Driver.GetState();
        _logger.Arc(device.Name, from, target);
        return device.Driver.TransitionTo(target);
    }

    private static MigrationState? TryGetState(OpenedDevice device)
    {
        try
        {
            return device.Driver.GetState();
        }
        catch (VfioException)
        {
            return null;
        }
    }

    // What the orchestrator may roll back after: its own kind of failure. Anything else is a bug or a dead process.
    private static bool IsRecoverable(Exception e) => e is VfioException or IOException or OperationCanceledException;

    private static VfioException AsVfio(Exception e, string device, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested || e is OperationCanceledException => new VfioException(ErrorCode.MigrationCancelled,
            $"the migration of {device} was cancelled", e)
        {
            Device = device,
        },
        VfioException v => v,
        _ => new VfioException(ErrorCode.KernelCallFailed, $"{device}: I/O failed during the migration: {e.Message}", e) { Device = device },
    };
}
