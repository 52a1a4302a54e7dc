using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Reads a transfer written by <see cref="MigrationChannelWriter"/> over one or more channels and hands the device's data
/// on in order: chunk <c>i</c> from channel <c>i mod N</c> (docs/stream-format.md "Channels").
/// </summary>
/// <remarks>
/// <para><see cref="ReadHeadersAsync"/> reads every channel's header before any data: channel 0's goes to the
/// validator, every other must carry the same header, its own index, the same count and the same transfer id
/// (<see cref="ErrorCode.StreamChannelMismatch"/> otherwise), so a missing, swapped or foreign channel is refused before
/// the destination enters RESUMING. During the copy each channel's next chunk is read and verified on a thread of its own
/// while the previous one is written to the device (with one channel too); when one channel's data ends, every other channel must end there
/// too (a channel with one chunk more is <see cref="ErrorCode.StreamChannelMismatch"/>; one with a chunk less fails its
/// own end record, <see cref="ErrorCode.StreamLengthMismatch"/>). Every channel is an envelope checked by its own
/// <see cref="MigrationStreamDecoder"/>, so truncation and corruption are refused with the usual codes.</para>
/// <para>Memory: two chunk buffers per channel (one being written to the device, one being read and verified). The
/// reader does not own the inputs.</para>
/// </remarks>
public sealed class MigrationChannelReader : IDisposable
{
    private readonly MigrationStreamReader[] _readers;
    private readonly ChunkWorker[] _workers;
    private MigrationStreamHeader? _header;
    private long _dataLength;

    /// <summary>Creates the reader; nothing is read until <see cref="ReadHeadersAsync"/>.</summary>
    /// <param name="inputs">One stream per channel, channel 0 first; 1 to 64. One input must be a format 1 stream.</param>
    /// <param name="validateHeader">Checks channel 0's header against the destination; throws to refuse.</param>
    /// <param name="maxChunkSize">Largest chunk accepted.</param>
    /// <param name="channelNames">Names of the channels for messages (e.g. file names); the index when null.</param>
    public MigrationChannelReader(IReadOnlyList<Stream> inputs, Action<MigrationStreamHeader> validateHeader, int maxChunkSize = StreamFormat.DefaultChunkSize,
        IReadOnlyList<string>? channelNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(validateHeader);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs.Count, 1, nameof(inputs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputs.Count, StreamFormat.MaxChannels, nameof(inputs));
        int count = inputs.Count;
        _readers = new MigrationStreamReader[count];
        _workers = [.. Enumerable.Range(0, count).Select(i => new ChunkWorker($"vfio-stream-read-{i}"))];
        if (count == 1)
        {
            _readers[0] = new MigrationStreamReader(inputs[0], validateHeader, maxChunkSize, channel: null) { AlternateBuffers = true };
            return;
        }
        ulong transferId = 0;
        for (int i = 0; i < count; i++)
        {
            int index = i;
            string name = channelNames is null ? $"channel {i}" : channelNames[i];
            _readers[i] = new MigrationStreamReader(inputs[i], index == 0 ? validateHeader : header => RequireSameHeader(header, name), maxChunkSize, channel: info =>
            {
                if (info is not { } c || c.Index != index || c.Count != count || (index > 0 && c.TransferId != transferId))
                {
                    string found = info is { } f ? f.ToString() : "a single-channel stream";
                    string expected = index == 0 ? $"channel 0 of {count}" : $"channel {index} of {count} (transfer {transferId:x16})";
                    throw StreamErrors.WrongChannel(name, found, expected);
                }
                if (index == 0)
                {
                    transferId = c.TransferId;
                }
                return true;
            })
            { AlternateBuffers = true };
        }
    }

    /// <summary>The number of channels.</summary>
    public int ChannelCount => _readers.Length;

    /// <summary>Device data bytes handed on so far.</summary>
    public long DataLength => _dataLength;

    /// <summary>Envelope bytes read so far over all channels: how far a broken transfer got.</summary>
    public long StreamOffset => _readers.Sum(r => r.StreamOffset);

    /// <summary>True once every channel's end record was verified.</summary>
    public bool IsComplete => _readers.All(r => r.IsComplete);

    /// <summary>Reads and checks every channel's preamble and header record (once), channel 0's through the validator.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Channel 0's header: the source's model id, configuration and device name.</returns>
    /// <exception cref="MigrationStreamException">A 5xxx refusal of any channel, <see cref="ErrorCode.StreamChannelMismatch"/> among them.</exception>
    public async ValueTask<MigrationStreamHeader> ReadHeadersAsync(CancellationToken cancellationToken = default)
    {
        if (_header is not null)
        {
            return _header;
        }
        MigrationStreamHeader header = await _readers[0].ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        _header = header;
        for (int i = 1; i < _readers.Length; i++)
        {
            await _readers[i].ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        }
        return header;
    }

    /// <summary>Copies the device data of every channel, in order, into <paramref name="deviceWriteSide"/>.</summary>
    /// <param name="deviceWriteSide">Where the data goes, e.g. the destination's RESUMING data session.</param>
    /// <param name="progress">Receives the total bytes copied after each chunk.</param>
    /// <param name="cancellationToken">Cancels reads and writes.</param>
    /// <returns>The number of bytes copied.</returns>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal of any channel.</exception>
    public async Task<long> CopyToAsync(Stream deviceWriteSide, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceWriteSide);
        await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
        if (_readers.Length == 1)
        {
            // One channel: the synchronous shell on one thread of its own for the whole copy. Blocking reads take what
            // the pipe holds at once; the asynchronous shell pays a thread-pool hop for every 64 KiB a pipe hands over.
            return _dataLength = await Task.Factory.StartNew(() => _readers[0].CopyTo(deviceWriteSide, progress, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        var next = new Task<(ReadOnlyMemory<byte> Chunk, uint? Crc)>?[_readers.Length];
        try
        {
            for (int i = 0; i < _readers.Length; i++)
            {
                next[i] = Prefetch(i, cancellationToken);
            }
            for (long sequence = 0; ; sequence++)
            {
                int k = (int)(sequence % _readers.Length);
                (ReadOnlyMemory<byte> chunk, uint? crc) = await next[k]!.ConfigureAwait(false);
                next[k] = null;
                if (chunk.IsEmpty)
                {
                    await RequireAllEndedAsync(next, k).ConfigureAwait(false);
                    RequireTransferTotals(sequence);
                    return _dataLength;
                }
                // The channel's next chunk is read into its other buffer while this one goes to the device.
                next[k] = Prefetch(k, cancellationToken);
                await DeviceSink.WriteAsync(deviceWriteSide, chunk, crc, cancellationToken).ConfigureAwait(false);
                _readers[k].Delivered(chunk.Length, null);
                _dataLength += chunk.Length;
                progress?.Report(_dataLength);
            }
        }
        finally
        {
            // A chunk read in flight uses its reader's buffer: wait for it before the caller disposes the reader. Its own
            // failure is not raised here; the failure that ended the copy is.
            foreach (Task<(ReadOnlyMemory<byte> Chunk, uint? Crc)>? pending in next)
            {
                if (pending is not null)
                {
                    await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
    }

    /// <summary>Returns every channel's pooled chunk buffer.</summary>
    public void Dispose()
    {
        foreach (MigrationStreamReader reader in _readers)
        {
            reader.Dispose();
        }
    }

    // The channel's next verified chunk (in its reader's buffer), read on the channel's own thread so channels verify in
    // parallel. The read blocks on that long-lived thread (one per channel, ChunkWorker): a pipe's or file's asynchronous read is emulated by many small thread-pool
    // hops (one per 64 KiB the kernel hands over), several times slower, and blocking reads on pool threads starve the
    // pool with several channels on few cores; and a thread started per chunk costs more than the chunk's read.
    private Task<(ReadOnlyMemory<byte> Chunk, uint? Crc)> Prefetch(int channel, CancellationToken cancellationToken) =>
        _workers[channel].Run(() =>
        {
            ReadOnlyMemory<byte> chunk = _readers[channel].NextChunkMemory();
            return (chunk, _readers[channel].LastChunkCrc);
        }, cancellationToken);

    // Channel `ended` has no more data: every other channel must be at its end record too.
    private async Task RequireAllEndedAsync(Task<(ReadOnlyMemory<byte> Chunk, uint? Crc)>?[] next, int ended)
    {
        for (int i = 0; i < next.Length; i++)
        {
            if (next[i] is not { } pending)
            {
                continue;
            }
            next[i] = null;
            (ReadOnlyMemory<byte> more, _) = await pending.ConfigureAwait(false);
            if (!more.IsEmpty)
            {
                throw StreamErrors.ChannelOutOfStep(_readers[i].StreamOffset, i, ended);
            }
        }
    }

    // Every channel's end record declares the whole transfer's totals: a channel that lost its last chunks together
    // with its end record's own count still disagrees with the others here.
    private void RequireTransferTotals(long chunks)
    {
        for (int i = 0; i < _readers.Length; i++)
        {
            if (_readers[i].TransferTotals is { } declared && (declared.Bytes != _dataLength || declared.Chunks != chunks))
            {
                throw StreamErrors.TransferTotals(_readers[i].StreamOffset, i, declared.Bytes, declared.Chunks, _dataLength, chunks);
            }
        }
    }

    private void RequireSameHeader(MigrationStreamHeader header, string name)
    {
        if (header != _header)
        {
            throw StreamErrors.ChannelHeaderDiffers(name, header, _header);
        }
    }
}
