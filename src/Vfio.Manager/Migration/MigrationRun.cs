using Vfio.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.Devices;

namespace Vfio.Manager.Migration;

/// <summary>
/// The lifecycle of one save, load or migration, written once: the journal entry written before the first state
/// change, the body (<see cref="ExecuteAsync"/>), a failure turned into the outcome's error, then either the rollback
/// (<see cref="RollBack"/>) or the success record (<see cref="Complete"/>), the journal entry removed (or kept, phased,
/// when the rollback or the record could not finish), and the final progress report. A failure the run does not
/// understand (not a <see cref="VfioException"/>, an I/O error or a cancellation) is a dead process: nothing is rolled
/// back, the devices are only closed (<see cref="Abandon"/>), and the exception propagates.
/// </summary>
internal abstract class MigrationRun
{
    private bool _journaled;

    protected MigrationRun(MigrationContext context, MigrationJournal journal, MdevUuid journalKey, string operation,
        IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        Context = context;
        Journal = journal;
        JournalKey = journalKey;
        Operation = operation;
        Progress = progress;
        CancellationToken = cancellationToken;
    }

    protected MigrationContext Context { get; }

    protected ILogger Logger => Context.Logger;

    protected MigrationJournal Journal { get; }

    /// <summary>The device the journal entry is filed under (the source; for a load, the destination).</summary>
    protected MdevUuid JournalKey { get; }

    /// <summary><see cref="MigrationJournalEntry.Save"/>, <see cref="MigrationJournalEntry.Load"/> or <see cref="MigrationJournalEntry.Migrate"/>.</summary>
    protected string Operation { get; }

    protected IProgress<MigrationProgress>? Progress { get; }

    protected CancellationToken CancellationToken { get; }

    public MigrationOutcome Outcome { get; } = new();

    /// <summary>Runs the operation to its end; the outcome says how it ended.</summary>
    public async Task<MigrationOutcome> RunAsync()
    {
        bool fatal = false;
        try
        {
            await ExecuteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (MigrationContext.IsRecoverable(e))
        {
            Outcome.Exception = MigrationContext.AsVfio(e, FailingDevice, CancellationToken);
        }
        catch (Exception)
        {
            fatal = true;
            throw;
        }
        finally
        {
            if (fatal)
            {
                // A dead process rolls nothing back; the devices keep whatever state they were left in.
                Abandon();
            }
            else
            {
                Conclude();
            }
        }
        return Outcome;
    }

    /// <summary>The body: opens, moves and switches over; throws on failure.</summary>
    protected abstract Task ExecuteAsync();

    /// <summary>After a failure: rolls back and closes the devices; returns whether the journal entry must stay.</summary>
    protected abstract bool RollBack();

    /// <summary>After success: closes the devices and records where the state went; returns whether the journal entry must stay.</summary>
    protected abstract bool Complete();

    /// <summary>The entry kept when <see cref="RollBack"/> or <see cref="Complete"/> says it must stay.</summary>
    protected abstract MigrationJournalEntry EntryToKeep();

    /// <summary>After a dead process: closes the devices, nothing else.</summary>
    protected abstract void Abandon();

    /// <summary>The device a failure is reported against.</summary>
    protected abstract string FailingDevice { get; }

    /// <summary>Called once the journal is settled, before the final progress report.</summary>
    protected virtual void Finished()
    {
    }

    /// <summary>The entry of this run as it stands now.</summary>
    protected abstract MigrationJournalEntry Entry(string phase = MigrationJournalEntry.PhaseStarted, bool loaded = false);

    /// <summary>Writes the entry (the first time: before any state change; later: as the run gets further).</summary>
    protected void WriteJournal(string phase = MigrationJournalEntry.PhaseStarted, bool loaded = false)
    {
        Journal.Write(JournalKey, Entry(phase, loaded));
        _journaled = true;
    }

    protected void Reach(MigrationCheckpoint point) => Context.Reach(point);

    protected void Report(MigrationPhase phase, long bytes, int iteration) => Progress?.Report(new MigrationProgress(phase, bytes, iteration));

    /// <summary>The code a rollback is logged against.</summary>
    protected string FailureCode => Outcome.Exception is { } failure ? ErrorCatalogue.Id(failure.Code) : "failure";

    /// <summary>Whether the journal was written (a run that failed before that has nothing to keep or remove).</summary>
    protected bool Journaled => _journaled;

    /// <summary>What rollback did not finish: a touched source that does not run again, or a created destination still there.</summary>
    protected bool RollbackIncomplete(bool sourceTouched) =>
        _journaled && ((sourceTouched && Outcome.SourceState != MigrationState.Running)
        || (Outcome.DestinationCreated && !Outcome.DestinationRemoved));

    /// <summary>
    /// Records that a source's state moved away; false (and logged) when the record could not be written, so the
    /// journal entry is kept instead, which refuses a plain resume too.
    /// </summary>
    protected bool RecordMoved(MigrationJournal journal, MdevUuid source, MovedAwayRecord record)
    {
        try
        {
            journal.MarkMoved(source, record);
            return true;
        }
        catch (Exception e) when (e is VfioException or IOException or UnauthorizedAccessException)
        {
            Logger.MovedNotRecorded(source.ToString(), e.Message);
            return false;
        }
    }

    /// <summary>The entry's destination host root when it is not the source's host (migrate --to-root), else null.</summary>
    protected static string? RootIfOther(MigrationEndpoint? source, MigrationEndpoint? destination) =>
        source is not null && destination is not null && !string.Equals(source.Root, destination.Root, StringComparison.Ordinal) ? destination.Root : null;

    private void Conclude()
    {
        bool keepJournal = Outcome.Exception is not null ? RollBack() : Complete();
        if (keepJournal)
        {
            KeepJournal();
        }
        else if (_journaled)
        {
            Journal.Remove(JournalKey);
        }
        Finished();
        Report(MigrationPhase.Finished, Outcome.Bytes, Outcome.PreCopyIterations);
    }

    // A failed rollback (or a record that could not be written) keeps the journal entry, so list shows it and resume or
    // abort finish it; when even that write fails, the entry written at the start stays.
    private void KeepJournal()
    {
        Outcome.RollbackIncomplete = Outcome.Exception is not null;
        Logger.RollbackIncomplete(JournalKey.ToString(), Outcome.Exception is { } failure ? ErrorCatalogue.Id(failure.Code) : "success");
        try
        {
            Journal.Write(JournalKey, EntryToKeep());
        }
        catch (IOException e)
        {
            Logger.RollbackFailed(JournalKey.ToString(), e.Message);
        }
    }
}
