using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Reads a migration stream envelope and yields the device's opaque data, refusing every malformed stream with
/// its own 5xxx code. The header goes to a caller-supplied validator before any data is returned.
/// </summary>
/// <remarks>
/// <para>Order of checks: magic (<see cref="ErrorCode.StreamMagic"/>), major version
/// (<see cref="ErrorCode.StreamFormatVersion"/>), header record (CRC, lengths, UTF-8), then the validator
/// (which raises <see cref="ErrorCode.StreamHeaderMismatch"/> when model or configuration differ from the
/// destination). Only then does the first <see cref="Read(Span{byte})"/> return data, so a loader that writes
/// what it reads into RESUMING cannot write a byte of a stream meant for another model or configuration.</para>
/// <para>Each chunk's CRC is checked before any of its bytes are returned. Memory is one pooled buffer of the
/// maximum chunk size. A length field is compared with that limit before anything is allocated or read.
/// The reader does not own <c>input</c>.</para>
/// </remarks>
public sealed class MigrationStreamReader : IDisposable
{
    private readonly Stream _input;
    private readonly Action<MigrationStreamHeader> _validateHeader;
    private readonly int _maxChunkSize;
    private byte[]? _chunk;
    private byte[]? _small; // the async path's record header and end record buffer, reused for every record
    private int _chunkPos;
    private int _chunkLen;
    private long _offset;
    private long _dataLength;
    private uint _chunkCount;
    private uint _headerCrc;
    private MigrationStreamHeader? _header;
    private bool _ended;

    /// <summary>Creates a reader; nothing is read until <see cref="ReadHeader"/> or the first data read.</summary>
    /// <param name="input">The envelope (file, pipe, socket). Not disposed by the reader.</param>
    /// <param name="validateHeader">Checks the source's model and configuration against the destination and
    /// throws (normally a <see cref="VfioException"/> with <see cref="ErrorCode.StreamHeaderMismatch"/>) to refuse
    /// the stream. Called exactly once, before any data is returned.</param>
    /// <param name="maxChunkSize">Largest chunk accepted, 1 byte to 64 MiB (default 1 MiB); bounds memory use.</param>
    public MigrationStreamReader(Stream input, Action<MigrationStreamHeader> validateHeader, int maxChunkSize = StreamFormat.DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(validateHeader);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxChunkSize, StreamFormat.MaxChunkSizeLimit);
        _input = input;
        _validateHeader = validateHeader;
        _maxChunkSize = maxChunkSize;
    }

    /// <summary>True once the end record has been read and verified and no trailing bytes follow.</summary>
    public bool IsComplete => _ended;

    /// <summary>Device data bytes returned so far.</summary>
    public long DataLength => _dataLength;

    /// <summary>Envelope bytes read from the input so far (preamble, records, checksums): how far a broken stream got.</summary>
    public long StreamOffset => _offset;

    /// <summary>
    /// Reads and checks the preamble and header record and runs the validator (once; later calls return the
    /// same header).
    /// </summary>
    /// <returns>The source's model id, configuration text and device name.</returns>
    /// <exception cref="MigrationStreamException"><see cref="ErrorCode.StreamMagic"/>, <see cref="ErrorCode.StreamFormatVersion"/>,
    /// <see cref="ErrorCode.StreamTruncated"/>, <see cref="ErrorCode.StreamCrc"/>, <see cref="ErrorCode.StreamLengthOversized"/>
    /// or <see cref="ErrorCode.StreamRecordInvalid"/>.</exception>
    /// <exception cref="VfioException">Whatever the validator throws, e.g. <see cref="ErrorCode.StreamHeaderMismatch"/>.</exception>
    public MigrationStreamHeader ReadHeader()
    {
        if (_header is not null)
        {
            return _header;
        }
        Span<byte> preamble = stackalloc byte[StreamFormat.PreambleLength];
        ReadExactly(preamble, "the stream preamble (magic and format version)");
        uint crc = Crc32C.Append(Crc32C.Seed, preamble);
        CheckPreamble(preamble);

        Span<byte> recordHeader = stackalloc byte[StreamFormat.RecordHeaderLength];
        long recordOffset = _offset;
        ReadExactly(recordHeader, "the header record");
        crc = Crc32C.Append(crc, recordHeader);
        (StreamRecordKind kind, int length, uint expectedCrc) = ParseRecordHeader(recordHeader, recordOffset, StreamFormat.MaxHeaderRecordLength);
        if (kind != StreamRecordKind.Header)
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"stream record at offset {recordOffset} is a {kind} record, expected the header record first");
        }
        byte[] payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> p = payload.AsSpan(0, length);
            ReadExactly(p, "the header record's payload");
            CheckCrc(p, expectedCrc, recordOffset, "header");
            crc = Crc32C.Append(crc, p);
            MigrationStreamHeader header = ParseHeader(p, recordOffset);
            _headerCrc = Crc32C.Finish(crc);
            _validateHeader(header);
            _header = header;
            return header;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>Reads device data. Returns 0 only after the end record has been verified.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>The number of bytes read; 0 at the verified end.</returns>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal (see the class remarks).</exception>
    public int Read(Span<byte> buffer)
    {
        ReadHeader();
        while (_chunkPos == _chunkLen)
        {
            if (_ended || buffer.IsEmpty)
            {
                return 0;
            }
            // A data record that fits is read straight into the caller's buffer and checked there: one copy
            // instead of two. On a CRC failure the buffer holds unchecked bytes, but Read throws and returns none.
            int direct = NextRecord(buffer);
            if (direct > 0)
            {
                _dataLength += direct;
                return direct;
            }
        }
        int n = Math.Min(buffer.Length, _chunkLen - _chunkPos);
        _chunk.AsSpan(_chunkPos, n).CopyTo(buffer);
        _chunkPos += n;
        _dataLength += n;
        return n;
    }

    /// <summary>The device data as a read-only, forward-only stream (reading it runs all the checks).</summary>
    /// <returns>A stream that does not own the input; disposing it does nothing to the reader.</returns>
    public Stream AsStream() => new DataStream(this);

    /// <summary>
    /// Copies all device data into <paramref name="deviceWriteSide"/> (e.g. the destination's RESUMING data
    /// session), one verified chunk at a time. The header is validated before the first write.
    /// </summary>
    /// <param name="deviceWriteSide">Where the data goes.</param>
    /// <param name="progress">Receives the total bytes copied after each chunk.</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    /// <returns>The number of bytes copied.</returns>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal.</exception>
    public long CopyTo(Stream deviceWriteSide, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceWriteSide);
        ReadHeader();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_chunkPos == _chunkLen)
            {
                if (_ended)
                {
                    return _dataLength;
                }
                NextRecord(default);
                continue;
            }
            int n = _chunkLen - _chunkPos;
            deviceWriteSide.Write(_chunk.AsSpan(_chunkPos, n));
            _chunkPos += n;
            _dataLength += n;
            progress?.Report(_dataLength);
        }
    }

    /// <summary>Asynchronous form of <see cref="CopyTo"/>: reads and writes run on the streams' async paths.</summary>
    /// <param name="deviceWriteSide">Where the data goes.</param>
    /// <param name="progress">Receives the total bytes copied after each chunk.</param>
    /// <param name="cancellationToken">Cancels reads and writes.</param>
    /// <returns>The number of bytes copied.</returns>
    public async Task<long> CopyToAsync(Stream deviceWriteSide, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceWriteSide);
        await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_chunkPos == _chunkLen)
            {
                if (_ended)
                {
                    return _dataLength;
                }
                await NextRecordAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            int n = _chunkLen - _chunkPos;
            await deviceWriteSide.WriteAsync(_chunk.AsMemory(_chunkPos, n), cancellationToken).ConfigureAwait(false);
            _chunkPos += n;
            _dataLength += n;
            progress?.Report(_dataLength);
        }
    }

    /// <summary>Returns the pooled chunk buffer.</summary>
    public void Dispose()
    {
        if (_chunk is not null)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = null;
            _chunkLen = _chunkPos = 0;
        }
    }

    // The header is small (at most 66 KiB) and read once, so the async path reads it into memory first and
    // reuses the synchronous parser on a MemoryStream-free span.
    private async ValueTask ReadHeaderAsync(CancellationToken cancellationToken)
    {
        if (_header is not null)
        {
            return;
        }
        byte[] head = new byte[StreamFormat.PreambleLength + StreamFormat.RecordHeaderLength];
        int got = await _input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        int payloadLength = 0;
        if (got == head.Length)
        {
            // Bound the payload by the format's limit before allocating; the full checks run in ReadHeader.
            payloadLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(StreamFormat.PreambleLength + 4)), (uint)StreamFormat.MaxHeaderRecordLength);
            if (BinaryPrimitives.ReadUInt64LittleEndian(head) != StreamFormat.Magic)
            {
                payloadLength = 0;
            }
        }
        byte[] all = new byte[got + payloadLength];
        head.AsSpan(0, got).CopyTo(all);
        int more = got == head.Length
            ? await _input.ReadAtLeastAsync(all.AsMemory(got), payloadLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : 0;
        var prefix = new PrefixedStream(all.AsMemory(0, got + more), _input);
        var headerReader = new MigrationStreamReader(prefix, _validateHeader, _maxChunkSize);
        try
        {
            _header = headerReader.ReadHeader();
        }
        finally
        {
            _offset += headerReader._offset;
        }
        _headerCrc = headerReader._headerCrc;
    }

    // Reads and checks the next record. A data record of at most direct.Length bytes goes into direct and its
    // length is returned; anything else goes into the chunk buffer and 0 is returned.
    private int NextRecord(Span<byte> direct)
    {
        Span<byte> recordHeader = stackalloc byte[StreamFormat.RecordHeaderLength];
        Span<byte> end = stackalloc byte[StreamFormat.EndRecordLength];
        long recordOffset = _offset;
        ReadExactly(recordHeader, "the next record (the stream has no end record)");
        (StreamRecordKind kind, int length, uint crc) = ParseRecordHeader(recordHeader, recordOffset, _maxChunkSize);
        CheckRecordLength(kind, length, recordOffset);
        bool intoCaller = kind == StreamRecordKind.Data && length <= direct.Length;
        Span<byte> payload = kind == StreamRecordKind.End ? end : intoCaller ? direct[..length] : ChunkBuffer(length);
        ReadPayload(payload, kind, recordOffset);
        FinishRecord(kind, payload, crc, recordOffset, intoCaller);
        if (_ended)
        {
            CheckNoTrailingData(_input.Read(stackalloc byte[1]));
        }
        return intoCaller ? length : 0;
    }

    private async ValueTask NextRecordAsync(CancellationToken cancellationToken)
    {
        // One small buffer for every record header, the end record and the trailing-data probe, not one per record.
        byte[] small = _small ??= new byte[Math.Max(StreamFormat.RecordHeaderLength, StreamFormat.EndRecordLength)];
        long recordOffset = _offset;
        await ReadExactlyAsync(small.AsMemory(0, StreamFormat.RecordHeaderLength), "the next record (the stream has no end record)", cancellationToken).ConfigureAwait(false);
        (StreamRecordKind kind, int length, uint crc) = ParseRecordHeader(small, recordOffset, _maxChunkSize);
        CheckRecordLength(kind, length, recordOffset);
        if (kind == StreamRecordKind.Data)
        {
            ChunkBuffer(length);
        }
        Memory<byte> payload = kind == StreamRecordKind.Data ? _chunk.AsMemory(0, length) : small.AsMemory(0, length);
        int got = await _input.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        AdvancePayload(got, length, kind, recordOffset);
        FinishRecord(kind, payload.Span, crc, recordOffset, intoCaller: false);
        if (_ended)
        {
            CheckNoTrailingData(await _input.ReadAsync(small.AsMemory(0, 1), cancellationToken).ConfigureAwait(false));
        }
    }

    private void CheckRecordLength(StreamRecordKind kind, int length, long recordOffset)
    {
        switch (kind)
        {
            case StreamRecordKind.Data when length == 0:
                throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                    $"data record at offset {recordOffset} is empty, expected 1-{_maxChunkSize} bytes");
            case StreamRecordKind.Data:
                break;
            case StreamRecordKind.End when length != StreamFormat.EndRecordLength:
                throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                    $"end record at offset {recordOffset} is {length} bytes, expected {StreamFormat.EndRecordLength}");
            case StreamRecordKind.End:
                break;
            default:
                throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                    $"a second header record at offset {recordOffset}, expected a data or end record");
        }
    }

    // The pooled chunk buffer (rented once, at the largest chunk size), emptied for the next record.
    private Span<byte> ChunkBuffer(int length)
    {
        _chunk ??= ArrayPool<byte>.Shared.Rent(_maxChunkSize);
        _chunkPos = _chunkLen = 0;
        return _chunk.AsSpan(0, length);
    }

    private void FinishRecord(StreamRecordKind kind, ReadOnlySpan<byte> payload, uint expectedCrc, long recordOffset, bool intoCaller)
    {
        CheckCrc(payload, expectedCrc, recordOffset, kind == StreamRecordKind.Data ? "data" : "end");
        if (kind == StreamRecordKind.Data)
        {
            _chunkCount++;
            _chunkPos = 0;
            _chunkLen = intoCaller ? 0 : payload.Length;
            return;
        }
        ulong totalBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        uint chunks = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        // _dataLength counts bytes already handed out; the last chunk was fully consumed before we got here.
        if (totalBytes != (ulong)_dataLength || chunks != _chunkCount)
        {
            throw new MigrationStreamException(ErrorCode.StreamLengthMismatch, recordOffset,
                $"end record at offset {recordOffset} declares {totalBytes} bytes in {chunks} chunks, but {_dataLength} bytes in {_chunkCount} chunks were received")
            { Value = totalBytes.ToString(CultureInfo.InvariantCulture), Expected = _dataLength.ToString(CultureInfo.InvariantCulture) };
        }
        if (headerCrc != _headerCrc)
        {
            throw new MigrationStreamException(ErrorCode.StreamCrc, recordOffset,
                $"end record declares header CRC32C 0x{headerCrc:X8}, but the preamble and header read hash to 0x{_headerCrc:X8}: the header was altered");
        }
        _ended = true;
    }

    private void CheckNoTrailingData(int probed)
    {
        if (probed > 0)
        {
            throw new MigrationStreamException(ErrorCode.StreamTrailingData, _offset,
                $"bytes follow the end record at offset {_offset}; expected the stream to end there");
        }
    }

    private static void CheckPreamble(ReadOnlySpan<byte> preamble)
    {
        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(preamble);
        if (magic != StreamFormat.Magic)
        {
            throw new MigrationStreamException(ErrorCode.StreamMagic, 0,
                $"stream starts with 0x{magic:X16}, expected 0x{StreamFormat.Magic:X16} (\"VFIOMIG1\"): not a migration stream, or the wrong channel")
            { Value = $"0x{magic:X16}", Expected = $"0x{StreamFormat.Magic:X16}" };
        }
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(preamble[10..]);
        if (major != StreamFormat.Major)
        {
            throw new MigrationStreamException(ErrorCode.StreamFormatVersion, 8,
                $"stream format {major}.{minor} is not supported; this reader reads format {StreamFormat.Major}.x")
            { Value = $"{major}.{minor}", Expected = $"{StreamFormat.Major}.x" };
        }
    }

    private static (StreamRecordKind Kind, int Length, uint Crc) ParseRecordHeader(ReadOnlySpan<byte> recordHeader, long recordOffset, int maxLength)
    {
        uint kind = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[8..]);
        if (kind is not ((uint)StreamRecordKind.Header or (uint)StreamRecordKind.Data or (uint)StreamRecordKind.End))
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"record at offset {recordOffset} has unknown kind {kind}, expected 1 (header), 2 (data) or 3 (end)")
            { Value = kind.ToString(CultureInfo.InvariantCulture), Expected = "1, 2 or 3" };
        }
        int limit = (StreamRecordKind)kind switch
        {
            StreamRecordKind.Header => StreamFormat.MaxHeaderRecordLength,
            StreamRecordKind.End => StreamFormat.EndRecordLength,
            _ => maxLength,
        };
        if (length > (uint)limit)
        {
            throw new MigrationStreamException(ErrorCode.StreamLengthOversized, recordOffset + 4,
                $"record at offset {recordOffset} declares {length} bytes, more than the limit of {limit}")
            { Value = length.ToString(CultureInfo.InvariantCulture), Expected = $"at most {limit}" };
        }
        return ((StreamRecordKind)kind, (int)length, crc);
    }

    private static void CheckCrc(ReadOnlySpan<byte> payload, uint expected, long recordOffset, string what)
    {
        uint actual = Crc32C.Compute(payload);
        if (actual != expected)
        {
            throw new MigrationStreamException(ErrorCode.StreamCrc, recordOffset,
                $"{what} record at offset {recordOffset}: CRC32C of its {payload.Length} bytes is 0x{actual:X8}, the record says 0x{expected:X8}")
            { Value = $"0x{actual:X8}", Expected = $"0x{expected:X8}" };
        }
    }

    private static MigrationStreamHeader ParseHeader(ReadOnlySpan<byte> payload, long recordOffset)
    {
        int at = 0;
        string model = TakeString(payload, ref at, StreamFormat.MaxModelIdBytes, "model id", recordOffset);
        string config = TakeString(payload, ref at, StreamFormat.MaxConfigurationBytes, "configuration", recordOffset);
        string name = TakeString(payload, ref at, StreamFormat.MaxDeviceNameBytes, "device name", recordOffset);
        if (at != payload.Length || model.Length == 0)
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"header record at offset {recordOffset} is malformed: {(model.Length == 0 ? "empty model id" : $"{payload.Length - at} unexpected bytes after the device name")}");
        }
        return new MigrationStreamHeader(model, config, name);
    }

    private static string TakeString(ReadOnlySpan<byte> payload, ref int at, int max, string what, long recordOffset)
    {
        if (payload.Length - at < 2)
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"header record at offset {recordOffset} ends before the length of its {what}");
        }
        int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
        at += 2;
        if (length > max)
        {
            throw new MigrationStreamException(ErrorCode.StreamLengthOversized, recordOffset,
                $"header record at offset {recordOffset}: {what} is {length} bytes, more than the limit of {max}");
        }
        if (length > payload.Length - at)
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"header record at offset {recordOffset}: {what} claims {length} bytes, only {payload.Length - at} remain in the record");
        }
        try
        {
            string s = StreamFormat.StrictUtf8.GetString(payload.Slice(at, length));
            at += length;
            return s;
        }
        catch (DecoderFallbackException e)
        {
            throw new MigrationStreamException(ErrorCode.StreamRecordInvalid, recordOffset,
                $"header record at offset {recordOffset}: {what} is not valid UTF-8 ({e.Message})");
        }
    }

    private void ReadExactly(Span<byte> buffer, string what)
    {
        int got = _input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        Advance(got, buffer.Length, what);
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        int got = await _input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        Advance(got, buffer.Length, what);
    }

    private void ReadPayload(Span<byte> payload, StreamRecordKind kind, long recordOffset)
    {
        int got = _input.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        AdvancePayload(got, payload.Length, kind, recordOffset);
    }

    // The message naming the record is built only when the payload is cut short, not for every record.
    private void AdvancePayload(int got, int wanted, StreamRecordKind kind, long recordOffset)
    {
        if (got < wanted)
        {
            Advance(got, wanted, $"the {wanted}-byte payload of the {kind} record at offset {recordOffset}");
        }
        _offset += got;
    }

    private void Advance(int got, int wanted, string what)
    {
        long at = _offset;
        _offset += got;
        if (got < wanted)
        {
            throw new MigrationStreamException(ErrorCode.StreamTruncated, at + got,
                $"stream ends at offset {at + got} inside {what}: {wanted} bytes expected, {got} received")
            { Value = got.ToString(CultureInfo.InvariantCulture), Expected = wanted.ToString(CultureInfo.InvariantCulture) };
        }
    }

    /// <summary>The read-only view returned by <see cref="AsStream"/>.</summary>
    private sealed class DataStream(MigrationStreamReader reader) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => reader.DataLength; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => reader.Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer) => reader.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Bytes already read from the input, followed by the rest of the input.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
