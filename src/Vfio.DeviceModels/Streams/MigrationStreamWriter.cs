using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Writes the migration stream envelope (docs/stream-format.md): preamble, header record, data chunks of at
/// most the chunk size each with its CRC32C, and the end record with totals.
/// </summary>
/// <remarks>
/// Memory use is the chunk size (one pooled chunk buffer, rented by the first <see cref="GetChunkMemory"/> and returned by
/// <see cref="Complete"/>; an abandoned writer leaves it to the garbage collector), whatever the device state's size.
/// The preamble and header record are written before the first data chunk or by <see cref="Complete"/>.
/// The writer does not own <c>output</c> and never disposes it.
/// </remarks>
public sealed class MigrationStreamWriter
{
    private readonly Stream _output;
    private readonly byte[] _headerBytes;
    private readonly uint _headerCrc;
    private readonly int _chunkSize;
    private byte[]? _asyncRecordHeader;
    private byte[]? _record; // the chunk buffer: room for the record header, then up to the chunk size of data
    private byte[]? _spare;  // the second chunk buffer of StartWriteChunk: filled while the other one is written
    private ChunkWorker? _worker; // StartWriteChunk's thread, one for the writer's life
    private int _pending;    // data bytes in _record not yet written
    private uint _pendingCrc;   // their CRC-32C, as the source gave it with each Advance,
    private bool _pendingCrcKnown; // when it gave one with every Advance since the last record
    private readonly bool _channel;
    private bool _headerWritten;
    private bool _completed;

    /// <summary>Creates a writer; nothing is written until the first data or <see cref="Complete"/>.</summary>
    /// <param name="output">Where the envelope goes (a file, a pipe, a socket). Not disposed by the writer.</param>
    /// <param name="header">The source's model, configuration and device name.</param>
    /// <param name="chunkSize">Largest data chunk, 1 byte to 64 MiB; the reader's limit must be at least this.</param>
    public MigrationStreamWriter(Stream output, MigrationStreamHeader header, int chunkSize = StreamFormat.DefaultChunkSize)
        : this(output, header, chunkSize, channel: null)
    {
    }

    /// <summary>Creates the writer of one channel of a multi-channel transfer (format 2), or of a single stream.</summary>
    internal MigrationStreamWriter(Stream output, MigrationStreamHeader header, int chunkSize, StreamChannelInfo? channel)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, StreamFormat.MaxChunkSizeLimit);
        _output = output;
        _chunkSize = chunkSize;
        _headerBytes = EncodeHeader(header, channel);
        _channel = channel is not null;
        _headerCrc = Crc32C.Compute(_headerBytes);
    }

    /// <summary>The default chunk size, 1 MiB.</summary>
    public const int DefaultChunkSize = StreamFormat.DefaultChunkSize;

    /// <summary>Device data bytes written so far.</summary>
    public long DataLength { get; private set; }

    /// <summary>Data chunks written so far.</summary>
    public uint ChunkCount { get; private set; }

    /// <summary>The chunk size: the most data one record holds.</summary>
    public int ChunkSize => _chunkSize;

    /// <summary>
    /// The free part of the writer's chunk buffer (at least one byte): the source reads the device's data straight
    /// into it, then says how much with <see cref="Advance(int)"/>. The bytes are checksummed and written from there by
    /// <see cref="WriteChunk"/> / <see cref="WriteChunkAsync"/> in one write with their record header, so the envelope
    /// adds no copy of its own.
    /// </summary>
    /// <returns>Memory valid until the next call on the writer.</returns>
    /// <exception cref="InvalidOperationException">After <see cref="Complete"/>.</exception>
    public Memory<byte> GetChunkMemory()
    {
        ThrowIfCompleted();
        _record ??= ArrayPool<byte>.Shared.Rent(StreamFormat.RecordHeaderLength + _chunkSize);
        return _record.AsMemory(StreamFormat.RecordHeaderLength + _pending, _chunkSize - _pending);
    }

    /// <summary>Counts <paramref name="count"/> bytes put into <see cref="GetChunkMemory"/>'s memory; writes nothing.</summary>
    /// <param name="count">Bytes written there, at most its length.</param>
    public void Advance(int count) => Advance(count, null);

    /// <summary>
    /// Counts <paramref name="count"/> bytes put into <see cref="GetChunkMemory"/>'s memory, with their CRC-32C when
    /// the source computed it as it produced them (a device that checksums its state as it saves it). When every part
    /// of a record came with one, the record's checksum is combined from them and the record is not read again.
    /// </summary>
    /// <param name="count">Bytes written there, at most its length.</param>
    /// <param name="crc32c">The CRC-32C (Castagnoli) of exactly those bytes, or null to have the writer compute it.</param>
    /// <remarks>A wrong checksum is not caught here: the reader refuses the record (E5xxx), so the damage is found, not loaded.</remarks>
    public void Advance(int count, uint? crc32c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _chunkSize - _pending);
        if (count == 0)
        {
            return;
        }
        if (_pending == 0)
        {
            _pendingCrcKnown = crc32c.HasValue;
            _pendingCrc = crc32c.GetValueOrDefault();
        }
        else if (_pendingCrcKnown && crc32c is uint crc)
        {
            _pendingCrc = Crc32CCombine.Combine(_pendingCrc, crc, count);
        }
        else
        {
            _pendingCrcKnown = false;
        }
        _pending += count;
    }

    /// <summary>True when nothing was put into the chunk buffer since it was last written.</summary>
    public bool IsEmptyChunk => _pending == 0;

    /// <summary>True when the chunk buffer is full: the next <see cref="GetChunkMemory"/> needs a <see cref="WriteChunk"/> first.</summary>
    public bool IsChunkFull => _pending == _chunkSize;

    /// <summary>Writes the data put into the chunk buffer (if any) as one data record, in one write.</summary>
    public void WriteChunk()
    {
        EnsureHeader();
        if (_pending == 0)
        {
            return;
        }
        Span<byte> record = _record.AsSpan(0, StreamFormat.RecordHeaderLength + _pending);
        FillRecordHeader(record, StreamRecordKind.Data, record[StreamFormat.RecordHeaderLength..], TakePendingCrc());
        int length = _pending;
        _pending = 0;
        _output.Write(record);
        Count(length);
    }

    /// <summary>The asynchronous form of <see cref="WriteChunk"/>.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the record is handed to the output.</returns>
    public async ValueTask WriteChunkAsync(CancellationToken cancellationToken = default)
    {
        await EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        if (_pending == 0)
        {
            return;
        }
        Memory<byte> record = _record.AsMemory(0, StreamFormat.RecordHeaderLength + _pending);
        FillRecordHeader(record.Span, StreamRecordKind.Data, record.Span[StreamFormat.RecordHeaderLength..], TakePendingCrc());
        int length = _pending;
        _pending = 0;
        await _output.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        Count(length);
    }

    /// <summary>
    /// Starts writing the chunk buffer's data as one record on the writer's own long-lived thread (CRC and write) and switches to a second
    /// chunk buffer, so the source fills the next chunk while this one is checksummed and written. The caller awaits the
    /// returned task before the next <see cref="StartWriteChunk"/>, <see cref="Complete"/> or <see cref="CompleteAsync(CancellationToken)"/>:
    /// records then go out in order and a buffer is never filled while it is written. Nothing to write: a completed task.
    /// </summary>
    internal Task StartWriteChunk(CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        if (_pending == 0 || !_headerWritten)
        {
            return WriteChunkAsync(cancellationToken).AsTask();
        }
        byte[] record = _record!;
        int length = _pending;
        uint? crc = TakePendingCrc();
        Count(length);
        _record = _spare ?? ArrayPool<byte>.Shared.Rent(StreamFormat.RecordHeaderLength + _chunkSize);
        _spare = record;
        _pending = 0;
        // A blocking write on the channel's own long-lived thread (see MigrationChannelReader.Prefetch for why).
        _worker ??= new ChunkWorker("vfio-stream-write");
        return _worker.Run(() =>
        {
            Span<byte> bytes = record.AsSpan(0, StreamFormat.RecordHeaderLength + length);
            FillRecordHeader(bytes, StreamRecordKind.Data, bytes[StreamFormat.RecordHeaderLength..], crc);
            _output.Write(bytes);
            return length;
        }, cancellationToken);
    }

    /// <summary>Writes device data as one or more chunks of at most the chunk size.</summary>
    /// <param name="data">The bytes; an empty span writes nothing.</param>
    /// <exception cref="InvalidOperationException">After <see cref="Complete"/>.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        WriteChunk();
        Span<byte> recordHeader = stackalloc byte[StreamFormat.RecordHeaderLength];
        while (!data.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = data[..Math.Min(data.Length, _chunkSize)];
            FillRecordHeader(recordHeader, StreamRecordKind.Data, chunk);
            _output.Write(recordHeader);
            _output.Write(chunk);
            Count(chunk.Length);
            data = data[chunk.Length..];
        }
    }

    /// <summary>Writes device data as one or more chunks, asynchronously.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Cancels between chunks and inside the output's writes.</param>
    /// <returns>A task that completes when the bytes are handed to the output.</returns>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await WriteChunkAsync(cancellationToken).ConfigureAwait(false);
        // One record header buffer for the writer's life, not one per call.
        byte[] recordHeader = _asyncRecordHeader ??= new byte[StreamFormat.RecordHeaderLength];
        while (!data.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlyMemory<byte> chunk = data[..Math.Min(data.Length, _chunkSize)];
            FillRecordHeader(recordHeader, StreamRecordKind.Data, chunk.Span);
            await _output.WriteAsync(recordHeader, cancellationToken).ConfigureAwait(false);
            await _output.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            Count(chunk.Length);
            data = data[chunk.Length..];
        }
    }

    /// <summary>Writes the end record (totals and header CRC) and flushes the output. Call exactly once.</summary>
    /// <exception cref="InvalidOperationException">When already completed.</exception>
    public void Complete()
    {
        WriteChunk();
        Span<byte> end = stackalloc byte[StreamFormat.RecordHeaderLength + (_channel ? StreamFormat.ChannelEndRecordLength : StreamFormat.EndRecordLength)];
        FillEnd(end, (DataLength, ChunkCount));
        _completed = true;
        ReturnChunkBuffer();
        _output.Write(end);
        _output.Flush();
    }

    /// <summary>Writes the end record and flushes, asynchronously.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the end record is flushed.</returns>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => CompleteAsync(default, cancellationToken);

    /// <summary>Completes one channel of a multi-channel transfer; its end record also carries the transfer's totals.</summary>
    internal async ValueTask CompleteAsync((long Bytes, long Chunks) transfer, CancellationToken cancellationToken)
    {
        await WriteChunkAsync(cancellationToken).ConfigureAwait(false);
        byte[] end = new byte[StreamFormat.RecordHeaderLength + (_channel ? StreamFormat.ChannelEndRecordLength : StreamFormat.EndRecordLength)];
        FillEnd(end, transfer);
        _completed = true;
        ReturnChunkBuffer();
        await _output.WriteAsync(end, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a device's data session (read until it returns 0) into a complete envelope, one chunk-sized pooled
    /// buffer at a time.
    /// </summary>
    /// <remarks>For a STOP_COPY session. A PRE_COPY session reports "nothing now" as a 0-byte
    /// <see cref="Stream.Read(Span{byte})"/>, which would end the copy early: drain it with
    /// <c>MigrationDataStream.TryRead</c> and <see cref="Write"/>, then <see cref="Complete"/> after STOP_COPY.</remarks>
    /// <param name="deviceData">The device's saved state, e.g. the STOP_COPY data session.</param>
    /// <param name="output">Where the envelope goes.</param>
    /// <param name="header">The source's model, configuration and device name.</param>
    /// <param name="progress">Receives the total device bytes copied after each chunk.</param>
    /// <param name="chunkSize">Chunk size (default 1 MiB).</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    /// <returns>The number of device data bytes copied.</returns>
    /// <exception cref="OperationCanceledException">When cancelled; the envelope is left without an end record,
    /// which every reader refuses (<see cref="ErrorCode.StreamTruncated"/>).</exception>
    public static long CopyFrom(Stream deviceData, Stream output, MigrationStreamHeader header, IProgress<long>? progress = null,
        int chunkSize = StreamFormat.DefaultChunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceData);
        var writer = new MigrationStreamWriter(output, header, chunkSize);
        writer.EnsureHeader();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The device's bytes go straight into the chunk buffer, which is written with its record header in one write.
            int filled = Fill(deviceData, writer.GetChunkMemory().Span);
            if (filled == 0)
            {
                break;
            }
            writer.Advance(filled);
            writer.WriteChunk();
            progress?.Report(writer.DataLength);
            if (filled < chunkSize)
            {
                break;
            }
        }
        writer.Complete();
        return writer.DataLength;
    }

    /// <summary>The asynchronous form of <see cref="CopyFrom"/>.</summary>
    /// <param name="deviceData">The device's saved state.</param>
    /// <param name="output">Where the envelope goes.</param>
    /// <param name="header">The source's model, configuration and device name.</param>
    /// <param name="progress">Receives the total device bytes copied after each chunk.</param>
    /// <param name="chunkSize">Chunk size (default 1 MiB).</param>
    /// <param name="cancellationToken">Cancels reads and writes.</param>
    /// <returns>The number of device data bytes copied.</returns>
    public static async Task<long> CopyFromAsync(Stream deviceData, Stream output, MigrationStreamHeader header,
        IProgress<long>? progress = null, int chunkSize = StreamFormat.DefaultChunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceData);
        var writer = new MigrationStreamWriter(output, header, chunkSize);
        await writer.EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            int filled = await deviceData.ReadAtLeastAsync(writer.GetChunkMemory(), chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled == 0)
            {
                break;
            }
            writer.Advance(filled);
            await writer.WriteChunkAsync(cancellationToken).ConfigureAwait(false);
            progress?.Report(writer.DataLength);
            if (filled < chunkSize)
            {
                break;
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return writer.DataLength;
    }

    /// <summary>Encodes preamble + header record; the end record carries the CRC32C of exactly these bytes.</summary>
    internal static byte[] EncodeHeader(MigrationStreamHeader header, StreamChannelInfo? channel = null)
    {
        byte[] model = Encoding.UTF8.GetBytes(header.ModelId);
        byte[] config = Encoding.UTF8.GetBytes(header.Configuration);
        byte[] name = Encoding.UTF8.GetBytes(header.DeviceName);
        int payloadLength = 6 + model.Length + config.Length + name.Length + (channel is null ? 0 : StreamFormat.ChannelFieldsLength);
        byte[] bytes = new byte[StreamFormat.PreambleLength + StreamFormat.RecordHeaderLength + payloadLength];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(s, StreamFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], channel is null ? StreamFormat.Major : StreamFormat.ChannelMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(s[10..], StreamFormat.Minor);
        Span<byte> payload = s[(StreamFormat.PreambleLength + StreamFormat.RecordHeaderLength)..];
        int at = 0;
        foreach (byte[] field in (ReadOnlySpan<byte[]>)[model, config, name])
        {
            BinaryPrimitives.WriteUInt16LittleEndian(payload[at..], (ushort)field.Length);
            field.CopyTo(payload[(at + 2)..]);
            at += 2 + field.Length;
        }
        channel?.Write(payload[at..]);
        FillRecordHeader(s.Slice(StreamFormat.PreambleLength, StreamFormat.RecordHeaderLength), StreamRecordKind.Header, payload);
        return bytes;
    }

    private static void FillRecordHeader(Span<byte> recordHeader, StreamRecordKind kind, ReadOnlySpan<byte> payload, uint? crc32c = null)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(recordHeader, (uint)kind);
        BinaryPrimitives.WriteUInt32LittleEndian(recordHeader[4..], (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(recordHeader[8..], crc32c ?? Crc32C.Compute(payload));
    }

    // The chunk buffer's CRC-32C when the source gave it with every part, else null (the record is checksummed).
    private uint? TakePendingCrc()
    {
        uint? crc = _pendingCrcKnown ? _pendingCrc : null;
        _pendingCrcKnown = false;
        return crc;
    }

    private void FillEnd(Span<byte> end, (long Bytes, long Chunks) transfer)
    {
        Span<byte> payload = end[StreamFormat.RecordHeaderLength..];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)DataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[8..], ChunkCount);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[12..], _headerCrc);
        if (_channel)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(payload[16..], (ulong)transfer.Bytes);
            BinaryPrimitives.WriteUInt32LittleEndian(payload[24..], checked((uint)transfer.Chunks));
        }
        FillRecordHeader(end, StreamRecordKind.End, payload);
    }

    private void Count(int chunkLength)
    {
        DataLength += chunkLength;
        ChunkCount = checked(ChunkCount + 1);
    }

    private void EnsureHeader()
    {
        ThrowIfCompleted();
        if (!_headerWritten)
        {
            _output.Write(_headerBytes);
            _headerWritten = true;
        }
    }

    private async ValueTask EnsureHeaderAsync(CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        if (!_headerWritten)
        {
            await _output.WriteAsync(_headerBytes, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }
    }

    private void ReturnChunkBuffer()
    {
        if (_record is not null)
        {
            ArrayPool<byte>.Shared.Return(_record);
            _record = null;
        }
        if (_spare is not null)
        {
            ArrayPool<byte>.Shared.Return(_spare);
            _spare = null;
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The migration stream was already completed with its end record.");
        }
    }

    // Reads until the span is full or the source ends: a data session may return short reads.
    private static int Fill(Stream source, Span<byte> buffer) => source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
}
