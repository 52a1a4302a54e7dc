using System.Buffers.Binary;
using System.Text;
using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// The envelope's parser without any I/O (sans-IO): it says which field it needs next and how long it is
/// (<see cref="Needed"/>, <see cref="NeededLength"/>), the caller fetches exactly those bytes from wherever it reads
/// (a <see cref="Stream"/>, a <see cref="System.IO.Pipelines.PipeReader"/>, a buffer) into a buffer of its choice and
/// hands them to <see cref="Feed"/>, which checks them and says what they were (<see cref="StreamEvent"/>). Every
/// check of docs/stream-format.md, and every 5xxx refusal, lives here once; <see cref="MigrationStreamReader"/>'s
/// synchronous and asynchronous paths and <see cref="MigrationStreamPipeLoader"/> are thin shells around it.
/// </summary>
/// <remarks>
/// <para>Because the caller chooses where each field goes, a data payload can be read straight into its final
/// buffer (the caller's span, or the device's) and checked there: the decoder never copies device data, it only
/// computes each payload's CRC-32C once. A length is checked against its limit before <see cref="NeededLength"/>
/// announces it, so a caller never allocates for an oversized record.</para>
/// <para>The decoder reads format 1.x (one channel) and format 2.x (one channel of a multi-channel transfer,
/// docs/stream-format.md "Channels"); <see cref="Channel"/> says which, and the shell decides whether it accepts it.</para>
/// </remarks>
public sealed class MigrationStreamDecoder
{
    private readonly Action<MigrationStreamHeader> _validateHeader;
    private readonly int _maxChunkSize;
    private StreamField _needed = StreamField.Preamble;
    private int _neededLength = StreamFormat.PreambleLength;
    private StreamRecordKind _recordKind;
    private uint _recordCrc;
    private long _recordOffset;
    private long _offset;
    private long _dataLength;
    private uint _chunkCount;
    private uint _headerCrcRunning;
    private uint _headerCrc;
    private ushort _major;

    /// <summary>Creates a decoder expecting the preamble.</summary>
    /// <param name="validateHeader">Checks the source's model and configuration; throws to refuse the stream. Called
    /// once, when the header record has been verified, before any data is decoded.</param>
    /// <param name="maxChunkSize">Largest data payload accepted, 1 byte to 64 MiB.</param>
    public MigrationStreamDecoder(Action<MigrationStreamHeader> validateHeader, int maxChunkSize = StreamFormat.DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(validateHeader);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxChunkSize, StreamFormat.MaxChunkSizeLimit);
        _validateHeader = validateHeader;
        _maxChunkSize = maxChunkSize;
    }

    /// <summary>The field the decoder needs next.</summary>
    public StreamField Needed => _needed;

    /// <summary>The length of that field in bytes (1 for <see cref="StreamField.TrailingProbe"/>, 0 when complete).</summary>
    public int NeededLength => _neededLength;

    /// <summary>The largest data payload this decoder accepts: a buffer of this size holds any data record.</summary>
    public int MaxChunkSize => _maxChunkSize;

    /// <summary>Envelope bytes fed so far: where the next field starts, or how far a broken stream got.</summary>
    public long Offset => _offset;

    /// <summary>Device data bytes in the data records verified so far.</summary>
    public long DataLength => _dataLength;

    /// <summary>Data records verified so far.</summary>
    public uint ChunkCount => _chunkCount;

    /// <summary>The CRC-32C of the data payload that <see cref="Feed"/> verified last, once it returned
    /// <see cref="StreamEvent.Data"/>: a destination that checksums what it loads may use it instead of a pass of its
    /// own (<see cref="Vfio.Devices.IChecksummedDataSink"/>).</summary>
    public uint DataCrc => _recordCrc;

    /// <summary>The verified and validated header, once <see cref="StreamEvent.Header"/> was returned.</summary>
    public MigrationStreamHeader? Header { get; private set; }

    /// <summary>For a format 2.x stream, which channel of how many it is; null for a format 1.x stream.</summary>
    public StreamChannelInfo? Channel { get; private set; }

    /// <summary>For a format 2 stream, once its end record was verified: the whole transfer's data bytes and chunks over all channels.</summary>
    public (long Bytes, long Chunks)? TransferTotals { get; private set; }

    /// <summary>True once the end record was verified and the input ended right after it.</summary>
    public bool IsComplete => _needed == StreamField.None;

    /// <summary>True once the end record was verified (the input may still have to be probed for trailing bytes).</summary>
    public bool HasEnded => _needed is StreamField.TrailingProbe or StreamField.None;

    /// <summary>
    /// Checks the <see cref="NeededLength"/> bytes of the <see cref="Needed"/> field and moves on to the next field.
    /// </summary>
    /// <param name="field">Exactly <see cref="NeededLength"/> bytes. For <see cref="StreamField.DataPayload"/> these
    /// are the device's data, verified in place: after <see cref="StreamEvent.Data"/> the caller may use them.</param>
    /// <returns>What the field completed: <see cref="StreamEvent.Data"/> for a verified data payload,
    /// <see cref="StreamEvent.Header"/> for the validated header, <see cref="StreamEvent.End"/> for the verified end
    /// record, <see cref="StreamEvent.None"/> for a record header or the preamble.</returns>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal.</exception>
    public StreamEvent Feed(ReadOnlySpan<byte> field)
    {
        if (field.Length != _neededLength || _needed == StreamField.None)
        {
            throw new ArgumentException($"the decoder needs {_neededLength} bytes of {_needed}, not {field.Length}", nameof(field));
        }
        switch (_needed)
        {
            case StreamField.Preamble:
                CheckPreamble(field);
                _headerCrcRunning = Crc32C.Append(Crc32C.Seed, field);
                _offset += field.Length;
                Need(StreamField.HeaderRecordHeader, StreamFormat.RecordHeaderLength);
                return StreamEvent.None;
            case StreamField.HeaderRecordHeader:
                return HeaderRecordHeader(field);
            case StreamField.HeaderPayload:
                return HeaderPayload(field);
            case StreamField.RecordHeader:
                return RecordHeader(field);
            case StreamField.DataPayload:
                CheckCrc(field, _recordCrc, _recordOffset, "data");
                _offset += field.Length;
                _dataLength += field.Length;
                _chunkCount++;
                Need(StreamField.RecordHeader, StreamFormat.RecordHeaderLength);
                return StreamEvent.Data;
            case StreamField.EndPayload:
                return EndPayload(field);
            default:
                throw StreamErrors.TrailingData(_offset);
        }
    }

    /// <summary>
    /// The input ended after <paramref name="received"/> bytes of the needed field: success when the decoder was
    /// probing for trailing bytes and none came, otherwise <see cref="ErrorCode.StreamTruncated"/>.
    /// </summary>
    /// <param name="received">How many bytes of the needed field arrived before the end (less than <see cref="NeededLength"/>).</param>
    /// <exception cref="MigrationStreamException"><see cref="ErrorCode.StreamTruncated"/>, or <see cref="ErrorCode.StreamTrailingData"/>
    /// when bytes followed the end record.</exception>
    public void EndOfInput(int received)
    {
        if (_needed == StreamField.None)
        {
            return;
        }
        if (_needed == StreamField.TrailingProbe)
        {
            if (received > 0)
            {
                Feed(stackalloc byte[1]);
            }
            Need(StreamField.None, 0);
            return;
        }
        string what = _needed switch
        {
            StreamField.Preamble => "the stream preamble (magic and format version)",
            StreamField.HeaderRecordHeader => "the header record",
            StreamField.HeaderPayload => "the header record's payload",
            StreamField.RecordHeader => "the next record (the stream has no end record)",
            _ => $"the {_neededLength}-byte payload of the {_recordKind} record at offset {_recordOffset}",
        };
        long at = _offset;
        _offset += received;
        throw StreamErrors.Truncated(at + received, what, _neededLength, received);
    }

    private int EndRecordLength => _major == StreamFormat.ChannelMajor ? StreamFormat.ChannelEndRecordLength : StreamFormat.EndRecordLength;

    private void Need(StreamField field, int length)
    {
        _needed = field;
        _neededLength = length;
    }

    private StreamEvent HeaderRecordHeader(ReadOnlySpan<byte> field)
    {
        _recordOffset = _offset;
        (StreamRecordKind kind, int length, uint crc) = ParseRecordHeader(field, _recordOffset, StreamFormat.MaxHeaderRecordLength);
        if (kind != StreamRecordKind.Header)
        {
            throw StreamErrors.HeaderRecordNotFirst(_recordOffset, kind);
        }
        _headerCrcRunning = Crc32C.Append(_headerCrcRunning, field);
        _offset += field.Length;
        _recordKind = kind;
        _recordCrc = crc;
        Need(StreamField.HeaderPayload, length);
        return StreamEvent.None;
    }

    private StreamEvent HeaderPayload(ReadOnlySpan<byte> payload)
    {
        CheckCrc(payload, _recordCrc, _recordOffset, "header");
        _offset += payload.Length;
        _headerCrc = Crc32C.Finish(Crc32C.Append(_headerCrcRunning, payload));
        (MigrationStreamHeader header, StreamChannelInfo? channel) = ParseHeader(payload, _recordOffset, _major);
        Channel = channel;
        _validateHeader(header);
        Header = header;
        Need(StreamField.RecordHeader, StreamFormat.RecordHeaderLength);
        return StreamEvent.Header;
    }

    private StreamEvent RecordHeader(ReadOnlySpan<byte> field)
    {
        _recordOffset = _offset;
        (StreamRecordKind kind, int length, uint crc) = ParseRecordHeader(field, _recordOffset, _maxChunkSize);
        switch (kind)
        {
            case StreamRecordKind.Data when length == 0:
                throw StreamErrors.DataRecordEmpty(_recordOffset, _maxChunkSize);
            case StreamRecordKind.End when length != EndRecordLength:
                throw StreamErrors.EndRecordLength(_recordOffset, length, EndRecordLength);
            case StreamRecordKind.Header:
                throw StreamErrors.SecondHeaderRecord(_recordOffset);
        }
        _offset += field.Length;
        _recordKind = kind;
        _recordCrc = crc;
        Need(kind == StreamRecordKind.Data ? StreamField.DataPayload : StreamField.EndPayload, length);
        return StreamEvent.None;
    }

    private StreamEvent EndPayload(ReadOnlySpan<byte> payload)
    {
        CheckCrc(payload, _recordCrc, _recordOffset, "end");
        ulong totalBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        uint chunks = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        if (totalBytes != (ulong)_dataLength || chunks != _chunkCount)
        {
            throw StreamErrors.EndTotals(_recordOffset, totalBytes, chunks, _dataLength, _chunkCount);
        }
        if (headerCrc != _headerCrc)
        {
            throw StreamErrors.HeaderCrc(_recordOffset, headerCrc, _headerCrc);
        }
        if (_major == StreamFormat.ChannelMajor)
        {
            TransferTotals = ((long)BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]), BinaryPrimitives.ReadUInt32LittleEndian(payload[24..]));
        }
        _offset += payload.Length;
        Need(StreamField.TrailingProbe, 1);
        return StreamEvent.End;
    }

    private void CheckPreamble(ReadOnlySpan<byte> preamble)
    {
        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(preamble);
        if (magic != StreamFormat.Magic)
        {
            throw StreamErrors.Magic(magic);
        }
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(preamble[10..]);
        if (major is not (StreamFormat.Major or StreamFormat.ChannelMajor))
        {
            throw StreamErrors.FormatVersion(major, minor);
        }
        _major = major;
    }

    private (StreamRecordKind Kind, int Length, uint Crc) ParseRecordHeader(ReadOnlySpan<byte> recordHeader, long recordOffset, int maxLength)
    {
        uint kind = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[8..]);
        if (kind is not ((uint)StreamRecordKind.Header or (uint)StreamRecordKind.Data or (uint)StreamRecordKind.End))
        {
            throw StreamErrors.RecordKindUnknown(recordOffset, kind);
        }
        int limit = (StreamRecordKind)kind switch
        {
            StreamRecordKind.Header => StreamFormat.MaxHeaderRecordLength + (_major == StreamFormat.ChannelMajor ? StreamFormat.ChannelFieldsLength : 0),
            StreamRecordKind.End => EndRecordLength,
            _ => maxLength,
        };
        if (length > (uint)limit)
        {
            throw StreamErrors.RecordOversized(recordOffset, length, limit);
        }
        return ((StreamRecordKind)kind, (int)length, crc);
    }

    private static void CheckCrc(ReadOnlySpan<byte> payload, uint expected, long recordOffset, string what)
    {
        uint actual = Crc32C.Compute(payload);
        if (actual != expected)
        {
            throw StreamErrors.RecordCrc(what, recordOffset, payload.Length, actual, expected);
        }
    }

    private static (MigrationStreamHeader Header, StreamChannelInfo? Channel) ParseHeader(ReadOnlySpan<byte> payload, long recordOffset, ushort major)
    {
        int at = 0;
        string model = TakeString(payload, ref at, StreamFormat.MaxModelIdBytes, "model id", recordOffset);
        string config = TakeString(payload, ref at, StreamFormat.MaxConfigurationBytes, "configuration", recordOffset);
        string name = TakeString(payload, ref at, StreamFormat.MaxDeviceNameBytes, "device name", recordOffset);
        StreamChannelInfo? channel = null;
        if (major == StreamFormat.ChannelMajor && payload.Length - at >= StreamFormat.ChannelFieldsLength)
        {
            channel = StreamChannelInfo.Parse(payload.Slice(at, StreamFormat.ChannelFieldsLength), recordOffset);
            at += StreamFormat.ChannelFieldsLength;
        }
        else if (major == StreamFormat.ChannelMajor)
        {
            throw StreamErrors.HeaderChannelFieldsMissing(recordOffset, major);
        }
        if (at != payload.Length || model.Length == 0)
        {
            throw StreamErrors.HeaderMalformed(recordOffset, model.Length == 0, payload.Length - at);
        }
        return (new MigrationStreamHeader(model, config, name), channel);
    }

    private static string TakeString(ReadOnlySpan<byte> payload, ref int at, int max, string what, long recordOffset)
    {
        if (payload.Length - at < 2)
        {
            throw StreamErrors.HeaderStringLengthMissing(recordOffset, what);
        }
        int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
        at += 2;
        if (length > max)
        {
            throw StreamErrors.HeaderStringOversized(recordOffset, what, length, max);
        }
        if (length > payload.Length - at)
        {
            throw StreamErrors.HeaderStringPastEnd(recordOffset, what, length, payload.Length - at);
        }
        try
        {
            string s = StreamFormat.StrictUtf8.GetString(payload.Slice(at, length));
            at += length;
            return s;
        }
        catch (DecoderFallbackException e)
        {
            throw StreamErrors.HeaderStringNotUtf8(recordOffset, what, e);
        }
    }
}

/// <summary>The fields of the envelope, in the order <see cref="MigrationStreamDecoder"/> asks for them.</summary>
public enum StreamField
{
    /// <summary>Magic and format version, 12 bytes.</summary>
    Preamble,

    /// <summary>The first record's 12-byte header, which must be a header record's.</summary>
    HeaderRecordHeader,

    /// <summary>The header record's payload.</summary>
    HeaderPayload,

    /// <summary>A data or end record's 12-byte header.</summary>
    RecordHeader,

    /// <summary>A data record's payload: device data, 1 byte to the maximum chunk size.</summary>
    DataPayload,

    /// <summary>The end record's 16-byte payload.</summary>
    EndPayload,

    /// <summary>One byte after the end record, which must not exist: the caller reads at most one byte and reports
    /// the end of its input with <see cref="MigrationStreamDecoder.EndOfInput"/>.</summary>
    TrailingProbe,

    /// <summary>Nothing: the stream is complete.</summary>
    None,
}

/// <summary>What a field fed to <see cref="MigrationStreamDecoder.Feed"/> completed.</summary>
public enum StreamEvent
{
    /// <summary>Nothing yet (preamble or a record header).</summary>
    None,

    /// <summary>The header record was verified and validated.</summary>
    Header,

    /// <summary>A data payload was verified: its bytes may be used.</summary>
    Data,

    /// <summary>The end record was verified; the trailing probe comes next.</summary>
    End,
}
