using Microsoft.Extensions.Logging;

namespace Vfio.Manager.Migration;

/// <summary>
/// <c>save</c>: the source half alone, into a caller's stream. On success the source is stopped and marked as moved
/// away (its whole state left); on a failure before the end record it runs again; after it, it stays stopped.
/// </summary>
internal sealed class SaveRun(MigrationContext context, MigrationSource source, IReadOnlyList<Stream> outputs, MigrationOptions options,
    IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    : MigrationRun(context, MigrationJournal.Of(source.Endpoint), source.Device, MigrationJournalEntry.Save, progress, cancellationToken)
{
    private SourceHalf? _source;
    private bool _endRecordSending;

    protected override string FailingDevice => source.Device.ToString();

    protected override async Task ExecuteAsync()
    {
        Outcome.Source = source.Device;
        Journal.ThrowIfInterrupted(source.Device);
        _source = new SourceHalf(Context, MigrationContext.Open(source.Endpoint, source.Device), options);
        _source.RequireRunning(Outcome);
        WriteJournal();
        Reach(MigrationCheckpoint.SourceOpened);
        await _source.ProduceAsync(outputs, Outcome, Progress, () =>
        {
            // Before the end record goes out: a process killed from here on may have delivered the whole state,
            // so recovery must not resume the source without --force.
            WriteJournal(MigrationJournalEntry.PhaseEndRecordSending);
            _endRecordSending = true;
        }, CancellationToken).ConfigureAwait(false);
        Outcome.StateLeft = true;
        _source.Stop(Outcome);
    }

    protected override bool RollBack()
    {
        bool touched = _source?.Device.Touched == true;
        if (Outcome.StateLeft)
        {
            // The end record is out: a reader holds the whole state and may run it. The source must not run again on
            // its own; it stays stopped, marked as moved away (resume --force if that load never happens).
            Outcome.SourceState = MigrationContext.TryGetState(_source!.Device);
            Logger.RollbackFailed(_source.Device.Name, $"the whole stream had been written when {FailureCode} happened; the source stays stopped");
            _source.Device.Dispose();
            return !RecordStreamSent();
        }
        if (touched)
        {
            Outcome.SourceState = _source!.RollBack(FailureCode);
        }
        _source?.Device.Dispose();
        return RollbackIncomplete(touched);
    }

    protected override bool Complete()
    {
        _source!.Device.Dispose();
        return !RecordStreamSent();
    }

    protected override void Abandon() => _source?.Device.Dispose();

    protected override MigrationJournalEntry EntryToKeep() =>
        Entry(Outcome.StateLeft || _endRecordSending ? MigrationJournalEntry.PhaseEndRecordSending : MigrationJournalEntry.PhaseRollbackIncomplete);

    protected override MigrationJournalEntry Entry(string phase = MigrationJournalEntry.PhaseStarted, bool loaded = false) => new()
    {
        Loaded = loaded,
        Phase = phase,
        Operation = MigrationJournalEntry.Save,
        Source = source.Device.ToString(),
        Started = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    private bool RecordStreamSent() =>
        RecordMoved(Journal, source.Device, MovedAwayRecord.Now(MovedAwayRecord.StreamSent, MigrationJournalEntry.Save, null, null));
}
