using Vfio.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.DeviceModels.Streams;

namespace Vfio.Manager.Migration;

/// <summary>
/// <c>load</c>: the destination half alone, from a caller's stream. The header is read first; an existing destination
/// must not have run (E6041, unless forced) and a new one is created only once the type accepted the header; the
/// header is then checked against the destination's configuration before its first arc. On success the destination
/// runs; on failure it is reset and stopped (removed, if created here) and nothing runs.
/// </summary>
internal sealed class LoadRun(MigrationContext context, MigrationDestination destination, IReadOnlyList<Stream> inputs, MigrationOptions options,
    IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    : MigrationRun(context, MigrationJournal.Of(destination.Endpoint), (destination.ExistingDevice ?? destination.NewDeviceUuid)!.Value,
        MigrationJournalEntry.Load, progress, cancellationToken)
{
    private DestinationHalf? _destination;
    private string? _streamSource;

    protected override string FailingDevice => JournalKey.ToString();

    protected override async Task ExecuteAsync()
    {
        Outcome.Destination = JournalKey;
        Journal.ThrowIfInterrupted(JournalKey);
        WriteJournal();
        if (destination.ExistingDevice is MdevUuid existing)
        {
            // Opened before the header is read, so that a refused header still leaves it stopped by the rollback.
            bool fresh = DestinationHalf.IsFresh(destination.Endpoint, existing);
            var half = new DestinationHalf(Context, MigrationContext.Open(destination.Endpoint, existing));
            if (half.RefuseIfRun(destination.Endpoint, fresh, options.Force, MigrationJournalEntry.Load, new MigrationOverrides(Logger), Outcome) is { } refusal)
            {
                // Closed untouched: the refusal does not stop it either.
                half.Device.Dispose();
                throw refusal;
            }
            _destination = half;
        }
        // What the header must suit is decided here, before any data is read: the device it is bound for may not exist yet.
        // Every channel's header is read and checked here too: a missing or foreign channel fails before the first arc.
        using MigrationChannelReader reader = DestinationHalf.OpenReader(inputs, options);
        MigrationStreamHeader header = await reader.ReadHeadersAsync(CancellationToken).ConfigureAwait(false);
        _destination ??= CreateDestination(header);
        _destination.Accept(header, forced: false);
        Outcome.DestinationState = _destination.Device.Driver.GetState();
        await _destination.ConsumeAsync(reader, Outcome, Progress, () => WriteJournal(loaded: true), CancellationToken).ConfigureAwait(false);
        // The last moment a cancellation (a signal) is honoured: the destination does not run yet.
        CancellationToken.ThrowIfCancellationRequested();
        _destination.Run(Outcome);
        _streamSource = header.DeviceName;
    }

    protected override bool RollBack()
    {
        if (_destination is not null)
        {
            Outcome.DestinationState = _destination.RollBack(FailureCode);
            _destination.Device.Dispose();
        }
        new DestinationCreator(Context).RemoveAfterFailure(destination.Endpoint, Outcome, FailureCode);
        return RollbackIncomplete(sourceTouched: false);
    }

    protected override bool Complete()
    {
        _destination!.Device.Dispose();
        // This device runs the state now; and when the stream's source lives on this host (save | load on one
        // machine), the source learns that its destination runs.
        Journal.ClearMoved(JournalKey);
        AcknowledgeSource();
        return false;
    }

    protected override void Abandon() => _destination?.Device.Dispose();

    protected override MigrationJournalEntry EntryToKeep() => Entry(MigrationJournalEntry.PhaseRollbackIncomplete);

    protected override MigrationJournalEntry Entry(string phase = MigrationJournalEntry.PhaseStarted, bool loaded = false) => new()
    {
        Loaded = loaded,
        Phase = phase,
        Operation = MigrationJournalEntry.Load,
        Destination = JournalKey.ToString(),
        DestinationCreated = Outcome.DestinationCreated,
        Started = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    // A new destination: the type's description must accept the stream's header (steps 1-2), then the device is
    // created with the stream's configuration and opened.
    private DestinationHalf CreateDestination(MigrationStreamHeader header)
    {
        Vfio.DeviceModels.DeviceConfiguration configuration = DestinationCreator.ConfigurationFor(destination, header, Outcome);
        MdevUuid uuid = new DestinationCreator(Context).Create(destination, configuration, Outcome, () => WriteJournal());
        return new DestinationHalf(Context, MigrationContext.Open(destination.Endpoint, uuid));
    }

    // The stream's source, when it is a device of this host whose save marked it as sent: its destination now runs.
    private void AcknowledgeSource()
    {
        if (!MdevUuid.TryParse(_streamSource, out MdevUuid source) || source == JournalKey)
        {
            return;
        }
        try
        {
            if (Journal.FindMoved(source) is { Kind: MovedAwayRecord.StreamSent })
            {
                Journal.MarkMoved(source, MovedAwayRecord.Now(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Load, JournalKey.ToString(), null));
            }
        }
        catch (Exception e) when (e is VfioException or IOException or UnauthorizedAccessException)
        {
            // The source's record already refuses a resume (stream-sent); only the name of its destination is missing.
            Logger.MovedNotRecorded(source.ToString(), e.Message);
        }
    }
}
