namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Writes a device's migration data over one or more channels (docs/stream-format.md "Channels"), as QEMU's multifd
/// device-state transfer does: chunk <c>i</c> goes to channel <c>i mod N</c>, so the loader reassembles them in order
/// without a sequence number, and each channel is a complete envelope with its own CRCs, totals and end record.
/// </summary>
/// <remarks>
/// <para>One channel is a plain format 1.0 stream, byte for byte what <see cref="MigrationStreamWriter"/> writes. Two
/// or more are format 2.0 streams whose header records also carry the channel's index, the channel count and a transfer
/// id shared by the channels of one transfer.</para>
/// <para>The source reads the device straight into the current channel's chunk buffer
/// (<see cref="GetChunkMemoryAsync"/>, <see cref="Advance(int)"/>); <see cref="WriteChunkAsync"/> then checksums and writes
/// that chunk on the channel's own thread while the source reads the next chunk into another buffer (the channel's second one,
/// or the next channel's), so with N channels up to N chunks are checksummed and written while the device is read, even
/// with one channel. Memory: two chunk buffers per channel. The writer does not own the outputs.</para>
/// </remarks>
public sealed class MigrationChannelWriter
{
    private readonly MigrationStreamWriter[] _writers;
    private readonly Task?[] _inFlight;
    private int _current;

    /// <summary>Creates the writer; nothing is written until <see cref="WriteHeadersAsync"/> or the first chunk.</summary>
    /// <param name="outputs">One stream per channel, channel 0 first; 1 to 64.</param>
    /// <param name="header">The source's model, configuration and device name, written into every channel.</param>
    /// <param name="chunkSize">Largest data chunk.</param>
    /// <param name="transferId">The id the channels share (random when null); ignored for one channel.</param>
    public MigrationChannelWriter(IReadOnlyList<Stream> outputs, MigrationStreamHeader header, int chunkSize = StreamFormat.DefaultChunkSize, ulong? transferId = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs.Count, 1, nameof(outputs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputs.Count, StreamFormat.MaxChannels, nameof(outputs));
        ulong id = transferId ?? (ulong)Random.Shared.NextInt64();
        _writers = new MigrationStreamWriter[outputs.Count];
        for (int i = 0; i < outputs.Count; i++)
        {
            StreamChannelInfo? channel = outputs.Count == 1 ? null : new StreamChannelInfo(i, outputs.Count, id);
            _writers[i] = new MigrationStreamWriter(outputs[i], header, chunkSize, channel);
        }
        _inFlight = new Task?[outputs.Count];
    }

    /// <summary>The number of channels.</summary>
    public int ChannelCount => _writers.Length;

    /// <summary>Device data bytes written so far over all channels.</summary>
    public long DataLength => _writers.Sum(w => w.DataLength);

    /// <summary>Data chunks written so far over all channels.</summary>
    public long ChunkCount => _writers.Sum(w => (long)w.ChunkCount);

    /// <summary>True when the current chunk buffer is full and must be written before more data goes in.</summary>
    public bool IsChunkFull => _writers[_current].IsChunkFull;

    /// <summary>Writes every channel's preamble and header record (before the source moves: a dead channel fails first).</summary>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task that completes when every header is handed to its output.</returns>
    public async ValueTask WriteHeadersAsync(CancellationToken cancellationToken = default)
    {
        foreach (MigrationStreamWriter writer in _writers)
        {
            await writer.WriteChunkAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The free part of the current channel's chunk buffer (each channel has two: one filled here while the other is written).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Memory valid until the next <see cref="WriteChunkAsync"/>.</returns>
    public ValueTask<Memory<byte>> GetChunkMemoryAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Each channel has two chunk buffers: the one returned here is never the one in flight.
        return ValueTask.FromResult(_writers[_current].GetChunkMemory());
    }

    /// <summary>Counts bytes put into <see cref="GetChunkMemoryAsync"/>'s memory.</summary>
    /// <param name="count">How many.</param>
    public void Advance(int count) => _writers[_current].Advance(count);

    /// <summary>Counts bytes put into <see cref="GetChunkMemoryAsync"/>'s memory, with their CRC-32C when the source
    /// computed it (<see cref="MigrationStreamWriter.Advance(int, uint?)"/>).</summary>
    /// <param name="count">How many.</param>
    /// <param name="crc32c">Their CRC-32C, or null.</param>
    public void Advance(int count, uint? crc32c) => _writers[_current].Advance(count, crc32c);

    /// <summary>
    /// Sends the current chunk (if it holds data) on its channel and moves to the next channel. The chunk is checksummed
    /// and written on the channel's own thread while the source fills the channel's other buffer; the write is awaited before the
    /// channel's next one starts, or by <see cref="CompleteAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when a chunk was sent.</returns>
    public async ValueTask<bool> WriteChunkAsync(CancellationToken cancellationToken = default)
    {
        MigrationStreamWriter writer = _writers[_current];
        if (writer.IsEmptyChunk)
        {
            return false;
        }
        if (_writers.Length == 1)
        {
            // One channel: written here, from the chunk buffer, with no hand-off to another thread per chunk (on a loaded
            // machine each hand-off waits for a core; docs/benchmarks.md, "Transport").
            await writer.WriteChunkAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        // The channel's previous record goes out first (order within a channel), and its buffer becomes the spare.
        await AwaitInFlightAsync(_current, cancellationToken).ConfigureAwait(false);
        _inFlight[_current] = writer.StartWriteChunk(cancellationToken);
        _current = (_current + 1) % _writers.Length;
        return true;
    }

    /// <summary>Sends the chunk in progress, waits for every channel's writes, and writes each channel's end record.</summary>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task that completes when every channel is complete and flushed.</returns>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        await WriteChunkAsync(cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < _writers.Length; i++)
        {
            await AwaitInFlightAsync(i, cancellationToken).ConfigureAwait(false);
        }
        (long, long) transfer = (DataLength, ChunkCount);
        foreach (MigrationStreamWriter writer in _writers)
        {
            await writer.CompleteAsync(transfer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a failure: waits until no chunk write is in flight, so no buffer is in use when the caller disposes the
    /// outputs. A write's own failure is not raised here: the caller is already reporting the failure that stopped it.
    /// </summary>
    /// <returns>A task that completes when no write is in flight.</returns>
    public async Task SettleAsync()
    {
        foreach (Task? write in _inFlight)
        {
            if (write is not null)
            {
                await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async ValueTask AwaitInFlightAsync(int channel, CancellationToken cancellationToken)
    {
        if (_inFlight[channel] is { } write)
        {
            await write.WaitAsync(cancellationToken).ConfigureAwait(false);
            _inFlight[channel] = null;
        }
    }
}
