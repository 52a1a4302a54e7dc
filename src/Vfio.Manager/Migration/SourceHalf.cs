using Microsoft.Extensions.Logging;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Migration;

/// <summary>
/// The source half: produces the stream envelope from an open, running source (the header first, pre-copy rounds
/// while it runs, then stop-copy and the end record), stops it once the whole state has left, and rolls it back to
/// RUNNING after a failure. <c>save</c> runs it alone; <c>migrate</c> pipes it into a <see cref="DestinationHalf"/>.
/// </summary>
internal sealed class SourceHalf(MigrationContext context, OpenedDevice device, MigrationOptions options)
{
    public OpenedDevice Device { get; } = device;

    /// <summary>The header the source writes: what the destination checks before anything moves.</summary>
    public MigrationStreamHeader Header => MigrationStreamHeader.For(Device.Configuration, Device.Name);

    /// <summary>Only a RUNNING source is saved (<see cref="ErrorCode.DeviceStateConflict"/> otherwise, e.g. one a save left stopped).</summary>
    public void RequireRunning(MigrationOutcome outcome)
    {
        MigrationState state = Device.Driver.GetState();
        outcome.SourceState = state;
        if (state != MigrationState.Running)
        {
            throw ManagerErrors.SourceNotRunning(Device.Name, state);
        }
    }

    /// <summary>
    /// Writes the whole stream into <paramref name="outputs"/> (one per channel). <paramref name="endRecordSending"/> runs just before the
    /// end record goes out (the journal learns that the state may leave from there on).
    /// </summary>
    public async Task ProduceAsync(IReadOnlyList<Stream> outputs, MigrationOutcome outcome, IProgress<MigrationProgress>? progress, Action? endRecordSending,
        CancellationToken cancellationToken)
    {
        var writer = new MigrationChannelWriter(outputs, Header, options.ChunkSize);
        // The headers go first, before the source moves, so a dead channel fails with the source untouched.
        await writer.WriteHeadersAsync(cancellationToken).ConfigureAwait(false);
        context.Reach(MigrationCheckpoint.StreamHeaderWritten);
        bool preCopy = options.UsePreCopy && options.MaxPreCopyIterations > 0 && Device.Driver.Features.HasFlag(MigrationFeatures.PreCopy);
        MigrationDataStream? data = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (preCopy)
            {
                data = context.Transition(Device, MigrationState.PreCopy) ?? throw MigrationContext.NoSession(Device, MigrationState.PreCopy);
                context.Reach(MigrationCheckpoint.PreCopyStarted);
                await PreCopyAsync(data, writer, outcome, progress, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                // vfio.h: PRE_COPY -> STOP_COPY continues the same data session.
                context.Transition(Device, MigrationState.StopCopy)?.Dispose();
            }
            else
            {
                data = context.Transition(Device, MigrationState.StopCopy) ?? throw MigrationContext.NoSession(Device, MigrationState.StopCopy);
            }
            context.Reach(MigrationCheckpoint.StopCopyEntered);
            progress?.Report(new MigrationProgress(MigrationPhase.StopCopy, outcome.Bytes, 0));
            outcome.Bytes += await DrainAsync(data, writer, preCopy: false, cancellationToken).ConfigureAwait(false);
            // The last moment a cancellation (a signal) is honoured: once the end record is out, the state has left.
            cancellationToken.ThrowIfCancellationRequested();
            endRecordSending?.Invoke();
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            context.Reach(MigrationCheckpoint.StreamComplete);
            progress?.Report(new MigrationProgress(MigrationPhase.StopCopy, outcome.Bytes, 0));
        }
        finally
        {
            // No chunk write may be in flight from the session's or the outputs' buffers once this returns.
            await writer.SettleAsync().ConfigureAwait(false);
            data?.Dispose();
        }
    }

    /// <summary>STOP_COPY -> STOP: the whole state has left; the source is stopped, and is never resumed by this run again.</summary>
    public void Stop(MigrationOutcome outcome)
    {
        context.Transition(Device, MigrationState.Stop)?.Dispose();
        outcome.SourceState = Device.Driver.GetState();
        context.Reach(MigrationCheckpoint.SourceStopped);
    }

    /// <summary>After a failure: a touched source back to RUNNING (its recovery state, else a reset); returns its state.</summary>
    public MigrationState? RollBack(string code) =>
        Device.Touched ? context.RollBackSource(Device, code) : MigrationContext.TryGetState(Device);

    // Rounds while the source runs: each drains what the device has now, then asks VFIO_MIG_GET_PRECOPY_INFO, until
    // what is left is small enough or the rounds run out.
    private async Task PreCopyAsync(MigrationDataStream data, MigrationChannelWriter writer, MigrationOutcome outcome,
        IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        for (int round = 1; ; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long sent = await DrainAsync(data, writer, preCopy: true, cancellationToken).ConfigureAwait(false);
            outcome.Bytes += sent;
            outcome.PreCopyIterations = round;
            progress?.Report(new MigrationProgress(MigrationPhase.PreCopy, outcome.Bytes, round));
            // Asked last so the decision sees what the running guest dirtied meanwhile.
            PrecopyInfo info = data.GetPrecopyInfo();
            ulong pending = info.InitialBytes + info.DirtyBytes;
            context.Logger.PreCopyRound(Device.Name, round, sent, pending);
            context.Reach(MigrationCheckpoint.PreCopyRound);
            if (pending <= (ulong)options.DirtyBytesThreshold || round >= options.MaxPreCopyIterations)
            {
                return;
            }
        }
    }

    // Reads the device's data into the envelope until its end (0) or, in pre-copy, until it has nothing now (-1). The
    // device writes straight into the writer's chunk buffer, which goes out, checksummed once, when full and at the end
    // of the drain: one copy per byte on this side (the device's), none in the envelope. A device that checksummed
    // its state as it saved it gives the checksum with the bytes, and the envelope uses it instead of a pass of its own.
    private async Task<long> DrainAsync(MigrationDataStream data, MigrationChannelWriter writer, bool preCopy,
        CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Memory<byte> chunk = await writer.GetChunkMemoryAsync(cancellationToken).ConfigureAwait(false);
            int n = data.TryRead(chunk.Span, out uint? crc);
            if (n == 0 || (n < 0 && preCopy))
            {
                await WriteChunkAsync(writer, cancellationToken).ConfigureAwait(false);
                return total;
            }
            if (n < 0)
            {
                throw ManagerErrors.NoDataInStopCopy();
            }
            writer.Advance(n, crc);
            total += n;
            if (writer.IsChunkFull)
            {
                await WriteChunkAsync(writer, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteChunkAsync(MigrationChannelWriter writer, CancellationToken cancellationToken)
    {
        if (await writer.WriteChunkAsync(cancellationToken).ConfigureAwait(false))
        {
            context.Reach(MigrationCheckpoint.StreamChunkWritten);
        }
    }
}
