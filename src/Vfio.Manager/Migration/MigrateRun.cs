using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Vfio.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.DeviceModels.Streams;

namespace Vfio.Manager.Migration;

/// <summary>
/// <c>migrate</c>: steps 1-2 on what sysfs says (a refusal touches nothing), then a <see cref="SourceHalf"/> piped into
/// a <see cref="DestinationHalf"/> in this process, then the switchover (source STOP before destination RUNNING). On
/// failure the destination is reset and stopped (removed, if created here) and then the source runs again.
/// </summary>
internal sealed class MigrateRun(MigrationContext context, MigrationSource source, MigrationDestination destination, MigrationOptions options,
    IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    : MigrationRun(context, MigrationJournal.Of(source.Endpoint), source.Device, MigrationJournalEntry.Migrate, progress, cancellationToken)
{
    private readonly MigrationOverrides _overrides = new(context.Logger);
    private MigrationPlan? _plan;
    private bool _forced;
    private SourceHalf? _source;
    private DestinationHalf? _destination;

    private MdevUuid DestinationUuid => (destination.ExistingDevice ?? destination.NewDeviceUuid)!.Value;

    protected override string FailingDevice => source.Device.ToString();

    /// <summary>Checks, then runs; a refusal of steps 1-2 returns before anything is opened or journaled.</summary>
    public async Task<MigrationOutcome> MigrateAsync()
    {
        Outcome.Source = source.Device;
        Outcome.Destination = DestinationUuid;
        Report(MigrationPhase.Checking, 0, 0);
        if (Refused())
        {
            return Outcome;
        }
        if (CancellationToken.IsCancellationRequested)
        {
            Outcome.Exception = MigrationContext.AsVfio(new OperationCanceledException(CancellationToken), FailingDevice, CancellationToken);
            return Outcome;
        }
        return await RunAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync()
    {
        Journal.ThrowIfInterrupted(source.Device);
        MigrationJournal.Of(destination.Endpoint).ThrowIfInterrupted(DestinationUuid);
        _source = new SourceHalf(Context, MigrationContext.Open(source.Endpoint, source.Device, _plan!.SourceConfiguration), options);
        _source.RequireRunning(Outcome);
        WriteJournal();
        Reach(MigrationCheckpoint.SourceOpened);
        if (destination.ExistingDevice is null)
        {
            Report(MigrationPhase.CreatingDestination, 0, 0);
            new DestinationCreator(Context).Create(destination, _plan.Pinned(DestinationUuid.ToString()), Outcome, () => WriteJournal());
        }
        bool fresh = DestinationHalf.IsFresh(destination.Endpoint, DestinationUuid);
        var half = new DestinationHalf(Context, MigrationContext.Open(destination.Endpoint, DestinationUuid));
        Outcome.DestinationState = half.Device.Driver.GetState();
        if (destination.ExistingDevice is not null
            && half.RefuseIfRun(destination.Endpoint, fresh, options.Force, MigrationJournalEntry.Migrate, _overrides, Outcome) is { } refusal)
        {
            // Closed untouched: the refusal does not stop it either; the source never moved.
            half.Device.Dispose();
            throw refusal;
        }
        _destination = half;
        // The header the source will write is checked once more before anything moves.
        _destination.Accept(_source.Header, _forced);
        Logger.MigrationStarting(source.Device.ToString(), DestinationUuid.ToString(), _source.Device.Configuration.ToString());

        if (await TransferAsync().ConfigureAwait(false) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        // Step 4. The source is stopped (STOP_COPY -> STOP) before the destination is asked to run, so the two never
        // run together. A cancellation (a signal) is honoured up to the destination's RUNNING arc, the point of no return.
        Report(MigrationPhase.Switchover, Outcome.Bytes, 0);
        CancellationToken.ThrowIfCancellationRequested();
        _source.Stop(Outcome);
        CancellationToken.ThrowIfCancellationRequested();
        _destination.Run(Outcome);
    }

    protected override bool RollBack()
    {
        Report(MigrationPhase.RollingBack, Outcome.Bytes, 0);
        bool sourceTouched = _source?.Device.Touched == true;
        // The destination goes first: reset and stopped (removed if created here); then the source runs again.
        if (_destination is not null)
        {
            Outcome.DestinationState = _destination.RollBack(FailureCode);
            _destination.Device.Dispose();
        }
        new DestinationCreator(Context).RemoveAfterFailure(destination.Endpoint, Outcome, FailureCode);
        if (_source is not null)
        {
            Outcome.SourceState = _source.RollBack(FailureCode);
            _source.Device.Dispose();
        }
        return RollbackIncomplete(sourceTouched);
    }

    protected override bool Complete()
    {
        CloseDevices();
        // The destination runs: the source's state moved away, and resume refuses it from now on.
        bool recorded = RecordMoved(Journal, source.Device, MovedAwayRecord.Now(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Migrate,
            DestinationUuid.ToString(), RootIfOther(source.Endpoint, destination.Endpoint)));
        if (recorded)
        {
            MigrationJournal.Of(destination.Endpoint).ClearMoved(DestinationUuid);
        }
        return !recorded;
    }

    protected override void Abandon() => CloseDevices();

    private void CloseDevices()
    {
        _source?.Device.Dispose();
        _destination?.Device.Dispose();
    }

    protected override void Finished() => Logger.Finished(source.Device.ToString(), DestinationUuid.ToString(), Outcome.ToString());

    protected override MigrationJournalEntry EntryToKeep() => Outcome.Succeeded
        ? Entry(MigrationJournalEntry.PhaseDestinationRunning, loaded: true)
        : Entry(MigrationJournalEntry.PhaseRollbackIncomplete);

    protected override MigrationJournalEntry Entry(string phase = MigrationJournalEntry.PhaseStarted, bool loaded = false) => new()
    {
        Loaded = loaded,
        Phase = phase,
        Operation = MigrationJournalEntry.Migrate,
        Source = source.Device.ToString(),
        Destination = Outcome.Destination?.ToString(),
        DestinationRoot = RootIfOther(source.Endpoint, destination.Endpoint),
        DestinationCreated = Outcome.DestinationCreated,
        Started = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    // Steps 1-2: true when refused (every problem in the outcome, nothing touched); a forceable refusal is passed with --force.
    private bool Refused()
    {
        string sourceName = source.Device.ToString();
        try
        {
            _plan = MigrationPlan.For(source, destination);
            if (_plan.Result.IsCompatible)
            {
                return false;
            }
            Outcome.Problems = _plan.Result.Problems;
            _forced = _overrides.TryForce(options.Force, source.Endpoint, MigrationJournalEntry.Migrate, sourceName, MigrationOverrides.Of(_plan.Result), Outcome);
            if (_forced)
            {
                return false;
            }
            Outcome.Exception = MigrationPlan.Refusal(_plan.Result);
            // A destination still to be created is named by where it would have been, not by a UUID that never existed.
            Logger.CompatibilityRefused(sourceName, destination.ExistingDevice?.ToString() ?? $"{destination.Parent}/{destination.Type}", string.Join("; ", _plan.Result.Problems));
        }
        catch (VfioException e)
        {
            Outcome.Exception = e;
        }
        Outcome.SourceUntouched = true;
        Outcome.Destination = destination.ExistingDevice; // a device never created is not named
        return true;
    }

    // The two halves side by side through bounded pipes (four chunks each; one per channel), so memory is bounded by
    // the chunk size; returns the failure that came first, or null.
    private async Task<Exception?> TransferAsync()
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        long window = 4L * (options.ChunkSize + 64);
        Pipe[] pipes = new Pipe[options.Channels];
        for (int i = 0; i < pipes.Length; i++)
        {
            pipes[i] = new Pipe(new PipeOptions(pauseWriterThreshold: window, resumeWriterThreshold: window / 2, useSynchronizationContext: false));
        }
        var loadOutcome = new MigrationOutcome();
        Task save = Task.Run(async () =>
        {
            try
            {
                await _source!.ProduceAsync([.. pipes.Select(p => p.Writer.AsStream())], Outcome, Progress, null, linked.Token).ConfigureAwait(false);
                foreach (Pipe pipe in pipes)
                {
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                // Hand the failure to the reading side (it must not wait for data that never comes), then report it.
                foreach (Pipe pipe in pipes)
                {
                    await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                }
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);
        Task load = Task.Run(async () =>
        {
            try
            {
                using MigrationChannelReader reader = DestinationHalf.OpenReader([.. pipes.Select(p => p.Reader.AsStream())], options);
                // The destination's own guard, before its first arc (the same one load runs).
                _destination!.Accept(await reader.ReadHeadersAsync(linked.Token).ConfigureAwait(false), _forced);
                await _destination.ConsumeAsync(reader, loadOutcome, null, () => WriteJournal(loaded: true), linked.Token).ConfigureAwait(false);
                foreach (Pipe pipe in pipes)
                {
                    await pipe.Reader.CompleteAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                foreach (Pipe pipe in pipes)
                {
                    await pipe.Reader.CompleteAsync(e).ConfigureAwait(false);
                }
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);
        await Task.WhenAll(save, load).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Exception? saveFailure = save.Exception?.InnerException;
        Exception? loadFailure = load.Exception?.InnerException;
        // A dead side outranks everything; then a real failure outranks the cancellation it caused on the other side.
        if (saveFailure is not null && !MigrationContext.IsRecoverable(saveFailure))
        {
            return saveFailure;
        }
        if (loadFailure is not null && !MigrationContext.IsRecoverable(loadFailure))
        {
            return loadFailure;
        }
        if (CancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(CancellationToken);
        }
        return saveFailure is not (null or OperationCanceledException) ? saveFailure
            : loadFailure is not (null or OperationCanceledException) ? loadFailure
            : saveFailure ?? loadFailure;
    }
}
