using System.Buffers.Binary;
using Vfio.DeviceModels.Streams;

namespace Vfio.DeviceModels.State;

/// <summary>
/// One piece of a save session (preamble, or a checksum frame with its payload) as the sequence of its bytes: the
/// encoded headers and small values in a pooled buffer, and, when the device is stopped, its large byte arrays by
/// reference. The arrays are checksummed when the save code hands them over and copied once, from the device's
/// memory into the reader's buffer, by <see cref="CopyTo"/>.
/// </summary>
/// <remarks>
/// By reference only when <see cref="ByReference"/> is set (STOP_COPY: a stopped device's state does not change),
/// and only arrays of at least <see cref="MinReferenceLength"/> bytes given to
/// <see cref="DeviceStateWriter.WriteBytes(string, byte[], FieldPresence, string?)"/>. An array changed after it was
/// handed over no longer matches its checksum; the loading device refuses it (E4012), it does not load it.
/// </remarks>
internal sealed class GatheredPiece : StateSink, IDisposable
{
    /// <summary>Arrays shorter than this are copied into the buffer: a reference would not save a copy worth its bookkeeping.</summary>
    public const int MinReferenceLength = 4096;

    // A referenced array's checksum pass records the running CRC every this many bytes (one three-lane step of
    // Crc32C), so the CRC of any range copied out later is two short edge passes plus arithmetic (CopyTo).
    private const int Block = 3 * 8192;

    private readonly StateBuffer _inline = new(4096);
    private readonly List<Segment> _segments = [];
    // For each referenced array, from its segment's Prefixes index on: the CRC-32C of its first 0, Block, 2 Block, ...
    // bytes, and of the whole array last.
    private readonly List<uint> _prefixes = [];
    // For each open section: the buffer offset of its length field and the piece position where its value starts.
    private readonly Stack<(int LengthAt, long ValueStart)> _open = new();
    private int _segment;
    private long _segmentOffset;

    /// <summary>Whether large arrays are referenced rather than copied.</summary>
    public bool ByReference { get; set; }

    /// <summary>The piece's length in bytes.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes not copied out yet.</summary>
    public long Remaining { get; private set; }

    /// <summary>Starts a new piece.</summary>
    public void Clear()
    {
        _inline.Clear();
        _segments.Clear();
        _prefixes.Clear();
        _open.Clear();
        _segment = 0;
        _segmentOffset = 0;
        Length = Remaining = 0;
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> bytes)
    {
        int start = _inline.Length;
        bytes.CopyTo(_inline.Append(bytes.Length));
        if (_segments.Count > 0 && _segments[^1].Array is null)
        {
            Segment last = _segments[^1];
            _segments[^1] = last with { Length = last.Length + bytes.Length };
        }
        else
        {
            _segments.Add(new Segment(null, start, bytes.Length, 0, -1));
        }
        Grow(bytes.Length);
    }

    /// <inheritdoc />
    public override void WriteArray(byte[] array)
    {
        if (!ByReference || array.Length < MinReferenceLength)
        {
            Write(array);
            return;
        }
        int first = _prefixes.Count;
        _prefixes.Add(0); // the CRC-32C of no bytes
        uint running = Crc32C.Seed;
        for (int at = 0; at < array.Length; at += Block)
        {
            running = Crc32C.Append(running, array.AsSpan(at, Math.Min(Block, array.Length - at)));
            _prefixes.Add(Crc32C.Finish(running));
        }
        _segments.Add(new Segment(array, 0, array.Length, Crc32C.Finish(running), first));
        Grow(array.Length);
    }

    /// <inheritdoc />
    public override uint BeginSection(int headerLength)
    {
        _open.Push((_inline.Length + headerLength - 4, Length + headerLength));
        return 0;
    }

    /// <inheritdoc />
    public override void EndSection()
    {
        (int lengthAt, long valueStart) = _open.Pop();
        long length = Length - valueStart;
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"device state section exceeds {Array.MaxLength} bytes; split it into several sections");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_inline.At(lengthAt, 4), (uint)length);
    }

    /// <summary>Reserves the checksum frame at the start of an empty piece; <see cref="Seal"/> fills it in.</summary>
    public void ReserveFrame() => Write(stackalloc byte[DeviceStateFormat.FrameLength]);

    /// <summary>Writes the frame reserved by <see cref="ReserveFrame"/> over everything after it.</summary>
    /// <param name="chain">The previous frame's CRC.</param>
    /// <returns>This frame's CRC, the chain value of the next frame.</returns>
    public uint Seal(uint chain)
    {
        uint crc = 0;
        long covered = 0;
        foreach (Segment s in _segments)
        {
            // The frame's own bytes lead the first (buffered) segment.
            int skip = covered == 0 && s.Array is null && s.Start == 0 ? DeviceStateFormat.FrameLength : 0;
            long length = s.Length - skip;
            uint part = s.Array is null ? Crc32C.Compute(_inline.WrittenSpan.Slice(s.Start + skip, (int)length)) : s.Crc;
            crc = covered == 0 ? part : Crc32CCombine.Combine(crc, part, length);
            covered += length;
        }
        if (covered == 0)
        {
            crc = Crc32C.Compute([]);
        }
        return DeviceStateFormat.WriteFrame(_inline.At(0, DeviceStateFormat.FrameLength), (uint)covered, crc, chain);
    }

    /// <summary>
    /// Copies the next bytes of the piece into <paramref name="destination"/> and, when asked, gives their CRC-32C:
    /// for a referenced array, from the running CRCs its checksum pass recorded (only the edges of the range are
    /// read again, from the destination, where the copy just left them); for buffered bytes, a pass over the copy.
    /// </summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="checksum">Whether to compute <paramref name="crc32c"/>.</param>
    /// <param name="crc32c">The CRC-32C of the bytes copied (0 when not asked or nothing was copied).</param>
    /// <returns>Bytes copied: the smaller of the destination's length and <see cref="Remaining"/>.</returns>
    public int CopyTo(Span<byte> destination, bool checksum, out uint crc32c)
    {
        int filled = 0;
        crc32c = 0;
        while (filled < destination.Length && _segment < _segments.Count)
        {
            Segment s = _segments[_segment];
            int n = (int)Math.Min(destination.Length - filled, s.Length - _segmentOffset);
            ReadOnlySpan<byte> from = s.Array is null ? _inline.WrittenSpan : s.Array;
            Span<byte> to = destination.Slice(filled, n);
            from.Slice(s.Start + (int)_segmentOffset, n).CopyTo(to);
            if (checksum)
            {
                uint part = s.Array is null ? Crc32C.Compute(to) : RangeCrc(s, (int)_segmentOffset, to);
                crc32c = filled == 0 ? part : Crc32CCombine.Combine(crc32c, part, n);
            }
            filled += n;
            _segmentOffset += n;
            if (_segmentOffset == s.Length)
            {
                _segment++;
                _segmentOffset = 0;
            }
        }
        Remaining -= filled;
        return filled;
    }

    /// <inheritdoc />
    public void Dispose() => _inline.Dispose();

    // The CRC-32C of a referenced array's bytes [start, start + copy.Length), whose copy is `copy`: the whole blocks
    // inside the range from the running CRCs at their ends, the partial blocks at its edges by a pass over the copy.
    private uint RangeCrc(Segment s, int start, ReadOnlySpan<byte> copy)
    {
        int end = start + copy.Length;
        int blocks = (s.Length + Block - 1) / Block;
        int firstBoundary = (start + Block - 1) / Block;         // the first recorded point at or after start
        int lastBoundary = end == s.Length ? blocks : end / Block; // the last recorded point at or before end
        if (firstBoundary >= lastBoundary)
        {
            return Crc32C.Compute(copy);
        }
        int from = firstBoundary * Block;
        int to = Math.Min(lastBoundary * Block, s.Length);
        uint crc = Crc32CCombine.Second(_prefixes[s.Prefixes + lastBoundary], _prefixes[s.Prefixes + firstBoundary], to - from);
        if (from > start)
        {
            crc = Crc32CCombine.Combine(Crc32C.Compute(copy[..(from - start)]), crc, to - from);
        }
        if (end > to)
        {
            crc = Crc32CCombine.Combine(crc, Crc32C.Compute(copy[(to - start)..]), end - to);
        }
        return crc;
    }

    private void Grow(int count)
    {
        Length += count;
        Remaining += count;
    }

    /// <summary>Bytes in the buffer (<see cref="Array"/> null) or a referenced array, with the array's CRC-32C and
    /// where its running CRCs start in <c>_prefixes</c>.</summary>
    private readonly record struct Segment(byte[]? Array, int Start, int Length, uint Crc, int Prefixes);
}
