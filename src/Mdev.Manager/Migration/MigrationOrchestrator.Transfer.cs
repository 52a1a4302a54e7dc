using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;

namespace Mdev.Manager;

// Step 3: the state moves, through the stream envelope. Step 4 and rollback are in .Rollback.cs.
public sealed partial class MigrationOrchestrator
{
    /// <summary>
    /// Migrates <paramref name="source"/> into <paramref name="destination"/> on this machine: checks, creates the
    /// destination if asked, saves through the envelope into the destination (pre-copy while the source runs, then
    /// stop-copy), and switches over: the destination RUNNING, the source STOP.
    /// </summary>
    /// <param name="source">The running source device.</param>
    /// <param name="destination">An existing device running the source's configuration, or a parent and type to create one on.</param>
    /// <param name="options">Pre-copy limits and chunk size; null for <see cref="MigrationOptions.Default"/>.</param>
    /// <param name="progress">Receives the phase, bytes and pre-copy round.</param>
    /// <param name="cancellationToken">Cancels the migration: a clean failure, source RUNNING, <see cref="ErrorCode.MigrationCancelled"/>.</param>
    /// <returns>
    /// The outcome. Refusals by steps 1-2 carry the first problem's 3xxx code and every problem in
    /// <see cref="MigrationOutcome.Problems"/>, with neither device touched; later failures carry the failing step's
    /// code with the source RUNNING and the destination reset (or removed, if created here).
    /// </returns>
    public async Task<MigrationOutcome> MigrateAsync(MigrationSource source, MigrationDestination destination, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= MigrationOptions.Default;
        options.Validate();
        var outcome = new MigrationOutcome { Source = source.Device, Destination = destination.ExistingDevice ?? destination.NewDeviceUuid };
        string sourceName = source.Device.ToString();
        string destinationName = outcome.Destination.ToString()!;
        progress?.Report(new MigrationProgress(MigrationPhase.Checking, 0, 0));

        MigrationPlan plan;
        try
        {
            plan = Plan(source, destination);
        }
        catch (VfioException e)
        {
            outcome.Exception = e;
            outcome.SourceUntouched = true;
            outcome.Destination = destination.ExistingDevice; // a device never created is not named
            return outcome;
        }
        bool forced = false;
        if (!plan.Result.IsCompatible)
        {
            outcome.Problems = plan.Result.Problems;
            try
            {
                forced = TryForce(options.Force, source.Host, "migrate", sourceName, Forced(plan.Result), outcome);
            }
            catch (VfioException e)
            {
                outcome.Exception = e;
                outcome.SourceUntouched = true;
                outcome.Destination = destination.ExistingDevice;
                return outcome;
            }
            if (!forced)
            {
                outcome.Exception = Refusal(plan.Result);
                outcome.SourceUntouched = true;
                outcome.Destination = destination.ExistingDevice;
                // A destination still to be created is named by where it would have been, not by a UUID that never existed.
                _logger.CompatibilityRefused(sourceName, destination.ExistingDevice?.ToString() ?? $"{destination.Parent}/{destination.Type}", string.Join("; ", plan.Result.Problems));
                return outcome;
            }
        }
        if (cancellationToken.IsCancellationRequested)
        {
            outcome.Exception = AsVfio(new OperationCanceledException(cancellationToken), sourceName, cancellationToken);
            return outcome;
        }

        OpenedDevice? src = null;
        OpenedDevice? dst = null;
        bool fatal = false;
        bool journaled = false;
        MigrationJournal journal = MigrationJournal.Of(source.Host);
        try
        {
            journal.ThrowIfInterrupted(source.Device);
            MigrationJournal.Of(destination.Host).ThrowIfInterrupted(outcome.Destination!.Value);
            src = Open(source.Host, source.Device, plan.SourceConfiguration);
            outcome.SourceState = src.Driver.GetState();
            RequireRunning(src);
            journal.Write(source.Device, JournalEntry(MigrationJournalEntry.Migrate, source, destination, outcome));
            journaled = true;
            Reach(MigrationCheckpoint.SourceOpened);
            if (destination.ExistingDevice is null)
            {
                progress?.Report(new MigrationProgress(MigrationPhase.CreatingDestination, 0, 0));
                // Forced past a refusal, the device is created with the source's own configuration text in the
                // type's model; a parameter or value the type does not know still fails here (E2xxx, never forced).
                DeviceConfiguration pinned = plan.Result.DestinationConfiguration
                    ?? DeviceConfiguration.Parse(plan.TypeModel!, plan.SourceConfiguration.ToString(), destinationName);
                destination.Host.Host.Create(destination.Parent!.Value, destination.Type!.Value, destination.NewDeviceUuid!.Value, pinned);
                outcome.DestinationCreated = true;
                journal.Write(source.Device, JournalEntry(MigrationJournalEntry.Migrate, source, destination, outcome));
                _logger.DestinationCreated(destinationName, destination.Parent.Value.ToString(), destination.Type.Value.ToString(), pinned.ToString());
                Reach(MigrationCheckpoint.DestinationCreated);
            }
            MdevUuid destinationUuid = outcome.Destination!.Value;
            dst = Open(destination.Host, destinationUuid, destination.Host.Host.ReadConfiguration(destinationUuid));
            outcome.DestinationState = dst.Driver.GetState();
            CheckHeader(src, dst, forced);
            _logger.MigrationStarting(sourceName, destinationName, src.Configuration.ToString());

            Exception? failure = await TransferAsync(src, dst, options, forced, progress, outcome,
                () => journal.Write(source.Device, JournalEntry(MigrationJournalEntry.Migrate, source, destination, outcome, loaded: true)),
                cancellationToken).ConfigureAwait(false);
            if (failure is not null && !IsRecoverable(failure))
            {
                fatal = true;
                ExceptionDispatchInfo.Throw(failure);
            }
            if (failure is null)
            {
                progress?.Report(new MigrationProgress(MigrationPhase.Switchover, outcome.Bytes, 0));
                failure = SwitchOver(src, dst, outcome, cancellationToken);
            }
            if (failure is not null)
            {
                outcome.Exception = AsVfio(failure, sourceName, cancellationToken);
            }
        }
        catch (Exception e) when (!fatal && IsRecoverable(e))
        {
            outcome.Exception = AsVfio(e, sourceName, cancellationToken);
        }
        catch (Exception)
        {
            // Outside the transfer too (a checkpoint, the switchover): a failure not understood is a dead process.
            fatal = true;
            throw;
        }
        finally
        {
            if (!fatal)
            {
                bool keepJournal = false;
                if (outcome.Exception is not null)
                {
                    progress?.Report(new MigrationProgress(MigrationPhase.RollingBack, outcome.Bytes, 0));
                    bool sourceTouched = src?.Touched == true;
                    RollBack(src, dst, destination.Host, outcome);
                    keepJournal = journaled && RollbackIncomplete(outcome, sourceTouched);
                }
                else
                {
                    src?.Dispose();
                    dst?.Dispose();
                    // The destination runs: the source's state moved away, and resume refuses it from now on.
                    keepJournal = !RecordMoved(journal, source.Device, Moved(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Migrate,
                        destinationName, JournalEntry(MigrationJournalEntry.Migrate, source, destination, outcome).DestinationRoot));
                    if (!keepJournal)
                    {
                        MigrationJournal.Of(destination.Host).ClearMoved(outcome.Destination!.Value);
                    }
                }
                if (keepJournal)
                {
                    KeepJournal(journal, source.Device, JournalEntry(MigrationJournalEntry.Migrate, source, destination, outcome, loaded: outcome.Succeeded,
                        phase: outcome.Succeeded ? MigrationJournalEntry.PhaseDestinationRunning : MigrationJournalEntry.PhaseRollbackIncomplete), outcome);
                }
                else if (journaled)
                {
                    journal.Remove(source.Device);
                }
                _logger.Finished(sourceName, destinationName, outcome.ToString());
                progress?.Report(new MigrationProgress(MigrationPhase.Finished, outcome.Bytes, outcome.PreCopyIterations));
            }
            else
            {
                // A dead process rolls nothing back; the devices keep whatever state they were left in.
                src?.Dispose();
                dst?.Dispose();
            }
        }
        return outcome;
    }

    /// <summary>
    /// The source half of a cross-host migration: saves the running source into <paramref name="output"/> (pre-copy,
    /// then stop-copy) and leaves it in STOP; on failure the source is RUNNING again. After a successful save, the
    /// operator either loads the stream elsewhere and <see cref="Abort"/>s the source, or <see cref="Resume"/>s it.
    /// </summary>
    /// <param name="source">The running source device.</param>
    /// <param name="output">Where the envelope goes (file, pipe, socket); not disposed.</param>
    /// <param name="options">Pre-copy limits and chunk size.</param>
    /// <param name="progress">Receives the phase, bytes and pre-copy round.</param>
    /// <param name="cancellationToken">Cancels the save; the source is then RUNNING.</param>
    /// <returns>The outcome: on success the source is STOP (<see cref="MigrationOutcome.NothingRunning"/>).</returns>
    public async Task<MigrationOutcome> SaveAsync(MigrationSource source, Stream output, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        options ??= MigrationOptions.Default;
        options.Validate();
        var outcome = new MigrationOutcome { Source = source.Device };
        OpenedDevice? src = null;
        bool fatal = false;
        bool journaled = false;
        bool endRecordSending = false;
        MigrationJournal journal = MigrationJournal.Of(source.Host);
        try
        {
            journal.ThrowIfInterrupted(source.Device);
            src = Open(source.Host, source.Device);
            outcome.SourceState = src.Driver.GetState();
            RequireRunning(src);
            journal.Write(source.Device, JournalEntry(MigrationJournalEntry.Save, source, null, outcome));
            journaled = true;
            Reach(MigrationCheckpoint.SourceOpened);
            await SaveCoreAsync(src, output, options, progress, outcome, () =>
            {
                // Before the end record goes out: a process killed from here on may have delivered the whole state,
                // so recovery must not resume the source without --force.
                journal.Write(source.Device, JournalEntry(MigrationJournalEntry.Save, source, null, outcome, phase: MigrationJournalEntry.PhaseEndRecordSending));
                endRecordSending = true;
            }, cancellationToken).ConfigureAwait(false);
            outcome.StateLeft = true;
            Transition(src, MigrationState.Stop)?.Dispose();
            outcome.SourceState = src.Driver.GetState();
            Reach(MigrationCheckpoint.SourceStopped);
        }
        catch (Exception e) when (IsRecoverable(e))
        {
            outcome.Exception = AsVfio(e, source.Device.ToString(), cancellationToken);
            if (outcome.StateLeft)
            {
                // The end record is out: a reader holds the whole state and may run it. The source must not run
                // again on its own; it stays stopped, marked as moved away (resume --force if that load never happens).
                outcome.SourceState = TryGetState(src!);
                _logger.RollbackFailed(src!.Name, $"the whole stream had been written when {ErrorCatalogue.Id(outcome.Exception.Code)} happened; the source stays stopped");
            }
            else if (src is { Touched: true })
            {
                outcome.SourceState = RollBackSource(src, ErrorCatalogue.Id(outcome.Exception.Code));
            }
        }
        catch (Exception)
        {
            fatal = true;
            throw;
        }
        finally
        {
            bool touched = src?.Touched == true;
            src?.Dispose();
            if (!fatal)
            {
                bool keepJournal = false;
                if (outcome.StateLeft)
                {
                    keepJournal = !RecordMoved(journal, source.Device, Moved(MovedAwayRecord.StreamSent, MigrationJournalEntry.Save, null, null));
                }
                else if (outcome.Exception is not null)
                {
                    keepJournal = journaled && RollbackIncomplete(outcome, touched);
                }
                if (keepJournal)
                {
                    KeepJournal(journal, source.Device, JournalEntry(MigrationJournalEntry.Save, source, null, outcome,
                        phase: outcome.StateLeft || endRecordSending ? MigrationJournalEntry.PhaseEndRecordSending : MigrationJournalEntry.PhaseRollbackIncomplete), outcome);
                }
                else if (journaled)
                {
                    journal.Remove(source.Device);
                }
                progress?.Report(new MigrationProgress(MigrationPhase.Finished, outcome.Bytes, outcome.PreCopyIterations));
            }
        }
        return outcome;
    }

    /// <summary>
    /// The destination half of a cross-host migration: reads the envelope from <paramref name="input"/>, checks its
    /// header against the destination before anything moves (for a new device: against the type's description, then
    /// creates the device with the stream's configuration), loads it, and resumes the destination. On failure the
    /// destination is reset and left stopped (removed, if created here): nothing runs, the source side decides.
    /// </summary>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <param name="input">The envelope; not disposed.</param>
    /// <param name="options">The chunk size limit (the largest chunk accepted).</param>
    /// <param name="progress">Receives the bytes loaded.</param>
    /// <param name="cancellationToken">Cancels the load; the destination is then reset.</param>
    /// <returns>The outcome; on success the destination is RUNNING.</returns>
    public async Task<MigrationOutcome> LoadAsync(MigrationDestination destination, Stream input, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(input);
        options ??= MigrationOptions.Default;
        options.Validate();
        var outcome = new MigrationOutcome { Destination = destination.ExistingDevice ?? destination.NewDeviceUuid };
        OpenedDevice? dst = null;
        bool fatal = false;
        bool journaled = false;
        string? streamSource = null;
        MigrationJournal journal = MigrationJournal.Of(destination.Host);
        try
        {
            journal.ThrowIfInterrupted(outcome.Destination!.Value);
            journal.Write(outcome.Destination.Value, JournalEntry(MigrationJournalEntry.Load, null, destination, outcome));
            journaled = true;
            if (destination.ExistingDevice is MdevUuid existing)
            {
                // An emulated device nothing opened yet is fresh; on the kernel a device reads RUNNING whenever it is
                // opened, so RUNNING there is taken as having run.
                bool fresh = destination.Host.Host.Sysfs is EmulatedSysfs emulated && !emulated.IsOpened(existing);
                // Opened before the header is read, so that a refused header still leaves it stopped by the rollback.
                dst = Open(destination.Host, existing);
                if (RefuseIfRun(dst, fresh, options.Force, destination.Host, outcome) is { } refusal)
                {
                    dst.Dispose();
                    dst = null;
                    throw refusal;
                }
            }
            using var reader = new MigrationStreamReader(input, header =>
                {
                    dst ??= CreateFromHeader(destination, header, outcome);
                    StreamHeaderValidator.Check(header, dst.Configuration, dst.Name);
                },
                Math.Max(options.ChunkSize, MigrationStreamWriter.DefaultChunkSize));
            reader.ReadHeader();
            outcome.DestinationState = dst!.Driver.GetState();
            await LoadCoreAsync(dst, reader, progress, outcome,
                () => journal.Write(outcome.Destination.Value, JournalEntry(MigrationJournalEntry.Load, null, destination, outcome, loaded: true)),
                cancellationToken).ConfigureAwait(false);
            // The last moment a cancellation (a signal) is honoured: the destination does not run yet.
            cancellationToken.ThrowIfCancellationRequested();
            Transition(dst, MigrationState.Running)?.Dispose();
            outcome.DestinationState = dst.Driver.GetState();
            Reach(MigrationCheckpoint.DestinationRunning);
            streamSource = reader.ReadHeader().DeviceName;
        }
        catch (Exception e) when (IsRecoverable(e))
        {
            outcome.Exception = AsVfio(e, outcome.Destination.ToString()!, cancellationToken);
            RollBack(null, dst, destination.Host, outcome);
            dst = null;
        }
        catch (Exception)
        {
            fatal = true;
            throw;
        }
        finally
        {
            dst?.Dispose();
            if (!fatal)
            {
                MdevUuid loaded = outcome.Destination!.Value;
                if (outcome.Succeeded)
                {
                    // This device runs the state now; and when the stream's source lives on this host (save | load on one
                    // machine), the source learns that its destination runs.
                    journal.ClearMoved(loaded);
                    AcknowledgeSource(journal, streamSource, loaded);
                }
                if (journaled && outcome.Exception is not null && outcome.DestinationCreated && !outcome.DestinationRemoved)
                {
                    KeepJournal(journal, loaded, JournalEntry(MigrationJournalEntry.Load, null, destination, outcome, phase: MigrationJournalEntry.PhaseRollbackIncomplete), outcome);
                }
                else if (journaled)
                {
                    journal.Remove(loaded);
                }
                progress?.Report(new MigrationProgress(MigrationPhase.Finished, outcome.Bytes, 0));
            }
        }
        return outcome;
    }

    // The stream's source, when it is a device of this host whose save marked it as sent: its destination now runs.
    private void AcknowledgeSource(MigrationJournal journal, string? streamSource, MdevUuid loaded)
    {
        if (!MdevUuid.TryParse(streamSource, out MdevUuid source) || source == loaded)
        {
            return;
        }
        try
        {
            if (journal.FindMoved(source) is { Kind: MovedAwayRecord.StreamSent })
            {
                journal.MarkMoved(source, Moved(MovedAwayRecord.DestinationRunning, MigrationJournalEntry.Load, loaded.ToString(), null));
            }
        }
        catch (Exception e) when (e is VfioException or IOException or UnauthorizedAccessException)
        {
            // The source's record already refuses a resume (stream-sent); only the name of its destination is missing.
            _logger.MovedNotRecorded(source.ToString(), e.Message);
        }
    }

    // Records that a source's state moved away; false (and logged) when the record could not be written, so the caller
    // keeps the journal entry instead, which refuses a plain resume too.
    private bool RecordMoved(MigrationJournal journal, MdevUuid source, MovedAwayRecord record)
    {
        try
        {
            journal.MarkMoved(source, record);
            return true;
        }
        catch (Exception e) when (e is VfioException or IOException or UnauthorizedAccessException)
        {
            _logger.MovedNotRecorded(source.ToString(), e.Message);
            return false;
        }
    }

    // A failed rollback (or a record that could not be written) keeps the journal entry, so list shows it and resume or
    // abort finish it; when even that write fails, the entry written at the start stays.
    private void KeepJournal(MigrationJournal journal, MdevUuid device, MigrationJournalEntry entry, MigrationOutcome outcome)
    {
        outcome.RollbackIncomplete = outcome.Exception is not null;
        _logger.RollbackIncomplete(device.ToString(), outcome.Exception is { } failure ? ErrorCatalogue.Id(failure.Code) : "success");
        try
        {
            journal.Write(device, entry);
        }
        catch (IOException e)
        {
            _logger.RollbackFailed(device.ToString(), e.Message);
        }
    }

    // What rollback did not finish: a touched source that does not run again, or a created destination still there.
    private static bool RollbackIncomplete(MigrationOutcome outcome, bool sourceTouched) =>
        (sourceTouched && outcome.SourceState != MigrationState.Running)
        || (outcome.DestinationCreated && !outcome.DestinationRemoved);

    // Runs the save and the load side by side through a bounded pipe; returns the failure that came first, or null.
    private async Task<Exception?> TransferAsync(OpenedDevice src, OpenedDevice dst, MigrationOptions options, bool forced,
        IProgress<MigrationProgress>? progress, MigrationOutcome outcome, Action loaded, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long window = 4L * (options.ChunkSize + 64);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: window, resumeWriterThreshold: window / 2, useSynchronizationContext: false));
        var loadOutcome = new MigrationOutcome();
        Task save = Task.Run(async () =>
        {
            try
            {
                await SaveCoreAsync(src, pipe.Writer.AsStream(), options, progress, outcome, null, linked.Token).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Hand the failure to the reading side (it must not wait for data that never comes), then report it.
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);
        Task load = Task.Run(async () =>
        {
            try
            {
                using var reader = new MigrationStreamReader(pipe.Reader.AsStream(), HeaderCheck(dst, forced),
                    Math.Max(options.ChunkSize, MigrationStreamWriter.DefaultChunkSize));
                await LoadCoreAsync(dst, reader, null, loadOutcome, loaded, linked.Token).ConfigureAwait(false);
                await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Reader.CompleteAsync(e).ConfigureAwait(false);
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);
        await Task.WhenAll(save, load).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Exception? saveFailure = save.Exception?.InnerException;
        Exception? loadFailure = load.Exception?.InnerException;
        // A dead side outranks everything; then a real failure outranks the cancellation it caused on the other side.
        if (saveFailure is not null && !IsRecoverable(saveFailure))
        {
            return saveFailure;
        }
        if (loadFailure is not null && !IsRecoverable(loadFailure))
        {
            return loadFailure;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(cancellationToken);
        }
        return saveFailure is not (null or OperationCanceledException) ? saveFailure
            : loadFailure is not (null or OperationCanceledException) ? loadFailure
            : saveFailure ?? loadFailure;
    }

    private async Task SaveCoreAsync(OpenedDevice src, Stream output, MigrationOptions options, IProgress<MigrationProgress>? progress,
        MigrationOutcome outcome, Action? endRecordSending, CancellationToken cancellationToken)
    {
        var writer = new MigrationStreamWriter(output, MigrationStreamHeader.For(src.Configuration, src.Name), options.ChunkSize);
        // The header goes first, before the source moves, so a dead channel fails with the source untouched.
        await writer.WriteAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        Reach(MigrationCheckpoint.StreamHeaderWritten);
        bool preCopy = options.UsePreCopy && options.MaxPreCopyIterations > 0 && src.Driver.Features.HasFlag(MigrationFeatures.PreCopy);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(options.ChunkSize);
        MigrationDataStream? data = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (preCopy)
            {
                data = Transition(src, MigrationState.PreCopy) ?? throw NoSession(src, MigrationState.PreCopy);
                Reach(MigrationCheckpoint.PreCopyStarted);
                for (int round = 1; ; round++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long sent = await DrainAsync(data, writer, buffer.AsMemory(0, options.ChunkSize), preCopy: true, cancellationToken).ConfigureAwait(false);
                    outcome.Bytes += sent;
                    outcome.PreCopyIterations = round;
                    progress?.Report(new MigrationProgress(MigrationPhase.PreCopy, outcome.Bytes, round));
                    // VFIO_MIG_GET_PRECOPY_INFO, asked last so the decision sees what the running guest dirtied meanwhile.
                    PrecopyInfo info = data.GetPrecopyInfo();
                    ulong pending = info.InitialBytes + info.DirtyBytes;
                    _logger.PreCopyRound(src.Name, round, sent, pending);
                    Reach(MigrationCheckpoint.PreCopyRound);
                    if (pending <= (ulong)options.DirtyBytesThreshold || round >= options.MaxPreCopyIterations)
                    {
                        break;
                    }
                }
                cancellationToken.ThrowIfCancellationRequested();
                // vfio.h: PRE_COPY -> STOP_COPY continues the same data session.
                Transition(src, MigrationState.StopCopy)?.Dispose();
            }
            else
            {
                data = Transition(src, MigrationState.StopCopy) ?? throw NoSession(src, MigrationState.StopCopy);
            }
            Reach(MigrationCheckpoint.StopCopyEntered);
            progress?.Report(new MigrationProgress(MigrationPhase.StopCopy, outcome.Bytes, 0));
            outcome.Bytes += await DrainAsync(data, writer, buffer.AsMemory(0, options.ChunkSize), preCopy: false, cancellationToken).ConfigureAwait(false);
            // The last moment a cancellation (a signal) is honoured: once the end record is out, the state has left.
            cancellationToken.ThrowIfCancellationRequested();
            endRecordSending?.Invoke();
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            Reach(MigrationCheckpoint.StreamComplete);
            progress?.Report(new MigrationProgress(MigrationPhase.StopCopy, outcome.Bytes, 0));
        }
        finally
        {
            data?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Reads the device's data into the envelope until its end (0) or, in pre-copy, until it has nothing now (-1).
    private async Task<long> DrainAsync(MigrationDataStream data, MigrationStreamWriter writer, Memory<byte> buffer, bool preCopy,
        CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = data.TryRead(buffer.Span);
            if (n == 0 || (n < 0 && preCopy))
            {
                return total;
            }
            if (n < 0)
            {
                throw new VfioException(ErrorCode.DeviceRefusedState,
                    "the device reported no data available (ENOMSG) in STOP_COPY, where vfio.h allows only data or the end");
            }
            await writer.WriteAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
            total += n;
            Reach(MigrationCheckpoint.StreamChunkWritten);
        }
    }

    private async Task LoadCoreAsync(OpenedDevice dst, MigrationStreamReader reader, IProgress<MigrationProgress>? progress,
        MigrationOutcome outcome, Action loaded, CancellationToken cancellationToken)
    {
        // The header (model and configuration) is checked against the destination before the first arc.
        reader.ReadHeader();
        cancellationToken.ThrowIfCancellationRequested();
        using (MigrationDataStream data = Transition(dst, MigrationState.Resuming) ?? throw NoSession(dst, MigrationState.Resuming))
        {
            Reach(MigrationCheckpoint.ResumingEntered);
            IProgress<long>? bytes = progress is null ? null : new ByteProgress(progress);
            outcome.Bytes = await reader.CopyToAsync(data, bytes, cancellationToken).ConfigureAwait(false);
        }
        // RESUMING -> STOP is where the device loads what it received.
        progress?.Report(new MigrationProgress(MigrationPhase.Loading, outcome.Bytes, 0));
        Transition(dst, MigrationState.Stop)?.Dispose();
        // The journal learns that the destination holds the whole state before it may run: a fresh device reads
        // RUNNING too, and recovery must not take a created-but-empty destination for a finished one.
        loaded();
        Reach(MigrationCheckpoint.DestinationLoaded);
    }

    private OpenedDevice CreateFromHeader(MigrationDestination destination, MigrationStreamHeader header, MigrationOutcome outcome)
    {
        MigrationHost host = destination.Host;
        // A new device: the stream's configuration is checked against the type's description first (steps 1-2).
        MdevUuid uuid = destination.NewDeviceUuid!.Value;
        MigrationInfo info = TypeDocuments.Require(host.Host.GetSupportedType(destination.Parent!.Value, destination.Type!.Value), uuid);
        ModelDescription model = DeviceModelId.TryParse(header.ModelId, out DeviceModelId id) && info.Find(id) is { } found ? found : info.Models[0];
        CompatibilityResult result = CompatibilityChecker.Check(DeviceModelId.Parse(header.ModelId),
            ForeignConfiguration.Parse(DeviceModelId.Parse(header.ModelId), header.Configuration, header.DeviceName).Values, header.DeviceName, model);
        if (!result.IsCompatible)
        {
            outcome.Problems = result.Problems;
            throw Refusal(result);
        }
        host.Host.Create(destination.Parent.Value, destination.Type.Value, uuid, result.DestinationConfiguration!);
        outcome.DestinationCreated = true;
        MigrationJournal.Of(host).Write(uuid, JournalEntry(MigrationJournalEntry.Load, null, destination, outcome));
        Reach(MigrationCheckpoint.DestinationCreated);
        _logger.DestinationCreated(uuid.ToString(), destination.Parent.Value.ToString(), destination.Type.Value.ToString(), result.DestinationConfiguration!.ToString());
        return Open(host, uuid);
    }

    // A load destination that has run (RUNNING, not fresh) holds a guest's live state: refused before anything moves,
    // and closed untouched so that the refusal does not stop it either, unless forced.
    private VfioException? RefuseIfRun(OpenedDevice dst, bool fresh, bool force, MigrationHost host, MigrationOutcome outcome)
    {
        MigrationState state = dst.Driver.GetState();
        if (fresh || state != MigrationState.Running)
        {
            return null;
        }
        var refusal = new VfioException(ErrorCode.DestinationHasRun,
            $"destination {dst.Name} is RUNNING and has run since it was created: loading would stop it and overwrite its live state; " +
            $"load into a new device (--parent/--type), or 'vfioctl load --force' once nothing uses {dst.Name}; nothing was stopped")
        {
            Device = dst.Name,
            Value = state.ToString(),
            Expected = "a destination that never ran (fresh, or STOP)",
        };
        if (TryForce(force, host, "load", dst.Name, [new ForcedProblem(refusal.Code, refusal.Message)], outcome))
        {
            return null;
        }
        outcome.DestinationState = state;
        return refusal;
    }

    private static void RequireRunning(OpenedDevice source)
    {
        MigrationState state = source.Driver.GetState();
        if (state != MigrationState.Running)
        {
            throw new VfioException(ErrorCode.DeviceStateConflict,
                $"source {source.Name} is in {state}, not RUNNING; resume or abort the earlier migration first")
            {
                Device = source.Name,
                Value = state.ToString(),
                Expected = nameof(MigrationState.Running),
            };
        }
    }

    private static VfioException NoSession(OpenedDevice device, MigrationState state) =>
        new(ErrorCode.MigrationUnsupported, $"{device.Name}: entering {state} opened no data session") { Device = device.Name, Value = state.ToString() };

    private sealed class ByteProgress(IProgress<MigrationProgress> inner) : IProgress<long>
    {
        public void Report(long value) => inner.Report(new MigrationProgress(MigrationPhase.Loading, value, 0));
    }
}
