using System.Buffers;
using Vfio.Errors;

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
/// <para>The reader is a thin I/O shell: every check is <see cref="MigrationStreamDecoder"/>'s, shared by the
/// synchronous and asynchronous paths. It reads each field the decoder asks for straight into its destination (a data
/// payload into the caller's buffer when it fits, else into the pooled chunk buffer) and feeds it to the decoder.</para>
/// <para>A stream that is one channel of a multi-channel transfer (format 2) is refused with
/// <see cref="ErrorCode.StreamChannelMismatch"/>: it holds only part of the state (MigrationChannelReader reads those).</para>
/// </remarks>
public sealed class MigrationStreamReader : IDisposable
{
    private readonly Stream _input;
    private readonly MigrationStreamDecoder _decoder;
    private readonly byte[] _small = new byte[StreamFormat.ChannelEndRecordLength]; // preamble, record headers, end record, probe
    private byte[]? _chunk;
    private byte[]? _other; // with AlternateBuffers: the buffer of the chunk handed out last, refilled after the next one
    private int _chunkPos;
    private int _chunkLen;
    private uint _chunkCrc; // the current chunk's verified record CRC
    private long _dataLength;

    /// <summary>Creates a reader; nothing is read until <see cref="ReadHeader"/> or the first data read.</summary>
    /// <param name="input">The envelope (file, pipe, socket). Not disposed by the reader.</param>
    /// <param name="validateHeader">Checks the source's model and configuration against the destination and
    /// throws (normally a <see cref="VfioException"/> with <see cref="ErrorCode.StreamHeaderMismatch"/>) to refuse
    /// the stream. Called exactly once, before any data is returned.</param>
    /// <param name="maxChunkSize">Largest chunk accepted, 1 byte to 64 MiB (default 1 MiB); bounds memory use.</param>
    public MigrationStreamReader(Stream input, Action<MigrationStreamHeader> validateHeader, int maxChunkSize = StreamFormat.DefaultChunkSize)
        : this(input, validateHeader, maxChunkSize, channel: null)
    {
    }

    /// <summary>Creates a reader of one channel of a multi-channel transfer, or (<paramref name="channel"/> null) of a single stream.</summary>
    internal MigrationStreamReader(Stream input, Action<MigrationStreamHeader> validateHeader, int maxChunkSize, Func<StreamChannelInfo?, bool>? channel)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(validateHeader);
        _input = input;
        Func<StreamChannelInfo?, bool> acceptChannel = channel ?? RequireSingle;
        _decoder = new MigrationStreamDecoder(header =>
        {
            if (acceptChannel(_decoder!.Channel))
            {
                validateHeader(header);
            }
        }, maxChunkSize);
    }

    /// <summary>True once the end record has been read and verified and no trailing bytes follow.</summary>
    public bool IsComplete => _decoder.IsComplete;

    /// <summary>Device data bytes returned so far.</summary>
    public long DataLength => _dataLength;

    /// <summary>Envelope bytes read from the input so far (preamble, records, checksums): how far a broken stream got.</summary>
    public long StreamOffset => _decoder.Offset;

    /// <summary>A format 2 stream's declared totals of the whole transfer, once its end record was verified.</summary>
    internal (long Bytes, long Chunks)? TransferTotals => _decoder.TransferTotals;

    /// <summary>Which channel of a multi-channel transfer this stream is, once its header was read; null for a single stream.</summary>
    internal StreamChannelInfo? Channel => _decoder.Channel;

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
        while (_decoder.Header is null)
        {
            Step(default);
        }
        return _decoder.Header;
    }

    /// <summary>The asynchronous form of <see cref="ReadHeader"/>.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The source's model id, configuration text and device name.</returns>
    public async ValueTask<MigrationStreamHeader> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        while (_decoder.Header is null)
        {
            await StepAsync(cancellationToken).ConfigureAwait(false);
        }
        return _decoder.Header;
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
            if (_decoder.IsComplete || buffer.IsEmpty)
            {
                return 0;
            }
            // A data record that fits is read straight into the caller's buffer and checked there: one copy
            // instead of two. On a CRC failure the buffer holds unchecked bytes, but Read throws and returns none.
            int length = _decoder.NeededLength;
            bool intoCaller = _decoder.Needed == StreamField.DataPayload && length <= buffer.Length;
            if (Step(buffer) == StreamEvent.Data && intoCaller)
            {
                _dataLength += length;
                return length;
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
    /// session), one verified chunk at a time, each written from the buffer it was read into (one copy in the reader).
    /// The header is validated before the first write.
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
            ReadOnlySpan<byte> chunk = NextChunk();
            if (chunk.IsEmpty)
            {
                return _dataLength;
            }
            DeviceSink.Write(deviceWriteSide, chunk, LastChunkCrc);
            Delivered(chunk.Length, progress);
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
            ReadOnlyMemory<byte> chunk = await NextChunkAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.IsEmpty)
            {
                return _dataLength;
            }
            await DeviceSink.WriteAsync(deviceWriteSide, chunk, LastChunkCrc, cancellationToken).ConfigureAwait(false);
            Delivered(chunk.Length, progress);
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
        if (_other is not null)
        {
            ArrayPool<byte>.Shared.Return(_other);
            _other = null;
        }
    }

    /// <summary>
    /// The rest of the current chunk, or the next verified chunk in the reader's buffer (valid until the next call);
    /// empty once the end record is verified and nothing follows it. The caller reports what it used with <see cref="Delivered"/>.
    /// </summary>
    internal ReadOnlySpan<byte> NextChunk() => NextChunkMemory().Span;

    /// <summary><see cref="NextChunk"/> as memory, for a caller that hands the chunk to another thread.</summary>
    internal ReadOnlyMemory<byte> NextChunkMemory()
    {
        while (_chunkPos == _chunkLen)
        {
            if (_decoder.IsComplete)
            {
                return default;
            }
            Step(default);
        }
        ReadOnlyMemory<byte> rest = _chunk.AsMemory(_chunkPos, _chunkLen - _chunkPos);
        LastChunkCrc = _chunkPos == 0 ? _chunkCrc : null;
        _chunkPos = _chunkLen;
        return rest;
    }

    /// <summary>The asynchronous form of <see cref="NextChunk"/>.</summary>
    internal async ValueTask<ReadOnlyMemory<byte>> NextChunkAsync(CancellationToken cancellationToken)
    {
        while (_chunkPos == _chunkLen)
        {
            if (_decoder.IsComplete)
            {
                return default;
            }
            await StepAsync(cancellationToken).ConfigureAwait(false);
        }
        ReadOnlyMemory<byte> rest = _chunk.AsMemory(_chunkPos, _chunkLen - _chunkPos);
        LastChunkCrc = _chunkPos == 0 ? _chunkCrc : null;
        _chunkPos = _chunkLen;
        return rest;
    }

    /// <summary>The CRC-32C of what <see cref="NextChunk"/> or <see cref="NextChunkAsync"/> returned last, when that
    /// was a whole data record (its verified record CRC); null for the rest of a record partly read.</summary>
    internal uint? LastChunkCrc { get; private set; }

    /// <summary>
    /// Read each data record into the other of two pooled buffers, so the chunk <see cref="NextChunkAsync"/> returned
    /// last stays valid while the next one is read and verified (the channel reader writes one to the device while it
    /// reads the next).
    /// </summary>
    internal bool AlternateBuffers { get; init; }

    /// <summary>Counts device bytes handed on to the caller.</summary>
    internal void Delivered(int length, IProgress<long>? progress)
    {
        _dataLength += length;
        progress?.Report(_dataLength);
    }

    // Reads the field the decoder needs (a data payload into direct when it fits, else the chunk buffer) and feeds it.
    private StreamEvent Step(Span<byte> direct)
    {
        int length = _decoder.NeededLength;
        byte[]? rented = null;
        try
        {
            Span<byte> field = _decoder.Needed switch
            {
                StreamField.DataPayload when length <= direct.Length => direct[..length],
                StreamField.DataPayload => ChunkBuffer(length),
                StreamField.HeaderPayload => (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length),
                _ => _small.AsSpan(0, length),
            };
            int got = _input.ReadAtLeast(field, length, throwOnEndOfStream: false);
            return Feed(field[..got], length, direct.Length);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private async ValueTask StepAsync(CancellationToken cancellationToken)
    {
        int length = _decoder.NeededLength;
        byte[]? rented = null;
        try
        {
            Memory<byte> field = _decoder.Needed switch
            {
                StreamField.DataPayload => ChunkMemory(length),
                StreamField.HeaderPayload => (rented = ArrayPool<byte>.Shared.Rent(length)).AsMemory(0, length),
                _ => _small.AsMemory(0, length),
            };
            int got = await _input.ReadAtLeastAsync(field, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            Feed(field.Span[..got], length, directLength: 0);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Hands a field to the decoder, or the end of the input when it came short; a data payload that went into the
    // chunk buffer becomes the current chunk.
    private StreamEvent Feed(ReadOnlySpan<byte> field, int length, int directLength)
    {
        if (field.Length < length)
        {
            _decoder.EndOfInput(field.Length);
            return StreamEvent.None;
        }
        StreamEvent e = _decoder.Feed(field);
        if (e == StreamEvent.Data && length > directLength)
        {
            _chunkPos = 0;
            _chunkLen = length;
            _chunkCrc = _decoder.DataCrc;
        }
        return e;
    }

    // The pooled chunk buffer (rented once, at the largest chunk size), emptied for the next record.
    private Span<byte> ChunkBuffer(int length) => ChunkMemory(length).Span;

    private Memory<byte> ChunkMemory(int length)
    {
        if (AlternateBuffers && _chunk is not null)
        {
            (_chunk, _other) = (_other ?? ArrayPool<byte>.Shared.Rent(_decoder.MaxChunkSize), _chunk);
        }
        _chunk ??= ArrayPool<byte>.Shared.Rent(_decoder.MaxChunkSize);
        _chunkPos = _chunkLen = 0;
        return _chunk.AsMemory(0, length);
    }

    private static bool RequireSingle(StreamChannelInfo? channel)
    {
        if (channel is { } c)
        {
            throw StreamErrors.NotSingleChannel(c);
        }
        return true;
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
}
