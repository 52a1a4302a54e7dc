using System.Buffers.Binary;
using Vfio.DeviceModels.Streams;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Bytes that arrive with their CRC-32C, verified by the caller (the stream envelope's record checksum): the longest
/// run of one frame's payload among them is not checksummed again; its CRC is split out of the one given.
/// </summary>
/// <remarks>
/// <para>The bytes are cut the way the framed path will take them (frame headers, and runs of payload, each inside
/// one frame) by reading the frames' covered lengths ahead. Every part but the longest payload run is checksummed
/// directly; the run's CRC is then the given CRC with the parts before and after it taken off
/// (<see cref="Crc32CCombine.Second"/>, <see cref="Crc32CCombine.First"/>). Each frame's payload CRC is combined from
/// its runs' CRCs and compared with the frame's as before: a damaged frame, or bytes that do not match the CRC given
/// with them, are refused (<see cref="Vfio.Errors.ErrorCode.DeviceStateChecksumMismatch"/>) before any of the frame's
/// fields is passed on.</para>
/// <para>Worth it only when one run is most of the bytes (an envelope record inside a large section): otherwise the
/// bytes take the ordinary path, which checksums them as it parses.</para>
/// </remarks>
internal sealed partial class DeviceStateAssembler
{
    // Below this many bytes in the longest run the split costs more than the pass it saves.
    private const int KnownCrcMinimum = 64 << 10;

    // More parts than this (many small frames in one record) take the ordinary path.
    private const int MaxParts = 16;

    private readonly List<(int Start, int Length, bool Payload, uint Crc)> _parts = [];

    /// <summary>Feeds the next bytes of the container, whose CRC-32C the caller has verified.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="crc32c">Their CRC-32C. Only a checksum checked against these very bytes may be given: the
    /// longest payload run in them is accepted on its strength.</param>
    public void Write(ReadOnlySpan<byte> data, uint crc32c)
    {
        if (!_preambleDone && !IsComplete)
        {
            int k = Math.Min(data.Length, DeviceStateFormat.PreambleLength - _pending.Length);
            ReadOnlySpan<byte> preamble = data[..k];
            Write(preamble);
            data = data[k..];
            crc32c = Crc32CCombine.Second(crc32c, Crc32C.Compute(preamble), data.Length);
        }
        if (data.Length < KnownCrcMinimum || IsComplete || !_preambleDone)
        {
            Write(data);
            return;
        }
        _framed ??= _minor >= DeviceStateFormat.FramedMinor || data[0] == DeviceStateFormat.FrameTag;
        int longest = _framed == true ? CutIntoParts(data) : -1;
        if (longest < 0 || _parts[longest].Length < Math.Max(KnownCrcMinimum, data.Length / 2))
        {
            Write(data);
            return;
        }
        SplitCrc(data, crc32c, longest);
        foreach ((int start, int length, bool payload, uint crc) in _parts)
        {
            ReadOnlySpan<byte> part = data.Slice(start, length);
            if (payload && _payloadLength >= 0 && !IsComplete)
            {
                WritePayload(part, crc);
            }
            else
            {
                Write(part);
            }
        }
    }

    // Cuts data into frame-header parts and payload runs as WriteFramed will take them; returns the index of the
    // longest payload run, or -1 when there are too many parts or a covered length the framed path will refuse.
    private int CutIntoParts(ReadOnlySpan<byte> data)
    {
        _parts.Clear();
        Span<byte> header = stackalloc byte[DeviceStateFormat.FrameLength];
        long left = _payloadLength >= 0 ? _payloadLength - _parseAt : -1; // payload bytes left in the current frame
        int have = _payloadLength >= 0 ? 0 : _pending.Length;             // header bytes of the next frame so far
        if (have > 0)
        {
            _pending.WrittenSpan.CopyTo(header);
        }
        int longest = -1;
        for (int at = 0; at < data.Length;)
        {
            if (_parts.Count == MaxParts)
            {
                return -1;
            }
            if (left > 0)
            {
                int n = (int)Math.Min(left, data.Length - at);
                if (longest < 0 || n > _parts[longest].Length)
                {
                    longest = _parts.Count;
                }
                _parts.Add((at, n, true, 0));
                at += n;
                left -= n;
                continue;
            }
            int take = Math.Min(DeviceStateFormat.FrameLength - have, data.Length - at);
            data.Slice(at, take).CopyTo(header[have..]);
            _parts.Add((at, take, false, 0));
            at += take;
            have += take;
            if (have == DeviceStateFormat.FrameLength)
            {
                // The covered length, read ahead of the frame's own check (which WriteFramed still makes first).
                left = BinaryPrimitives.ReadUInt32LittleEndian(header[(DeviceStateFormat.FrameLength - 12)..]);
                if (left > Array.MaxLength)
                {
                    return -1;
                }
                have = 0;
            }
        }
        return longest;
    }

    // Checksums every part but the longest, and splits the longest's CRC out of the whole's.
    private void SplitCrc(ReadOnlySpan<byte> data, uint whole, int longest)
    {
        uint before = 0, after = 0;
        long afterLength = 0;
        for (int i = 0; i < _parts.Count; i++)
        {
            (int start, int length, bool payload, _) = _parts[i];
            if (i == longest)
            {
                continue;
            }
            uint crc = Crc32C.Compute(data.Slice(start, length));
            _parts[i] = (start, length, payload, crc);
            if (i < longest)
            {
                before = Crc32CCombine.Combine(before, crc, length);
            }
            else
            {
                after = Crc32CCombine.Combine(after, crc, length);
                afterLength += length;
            }
        }
        (int s, int l, _, _) = _parts[longest];
        uint fromLongest = Crc32CCombine.Second(whole, before, data.Length - s);
        _parts[longest] = (s, l, true, Crc32CCombine.First(fromLongest, after, afterLength));
    }

    // A run of the current frame's payload whose CRC-32C is known: parsed without a checksum pass, its CRC combined
    // into the frame's running CRC.
    private void WritePayload(ReadOnlySpan<byte> run, uint crc)
    {
        int n = (int)Math.Min(run.Length, _payloadLength - _parseAt);
        if (n != run.Length)
        {
            Write(run); // not the cut CutIntoParts made: the ordinary path decides
            return;
        }
        _crc = ~Crc32CCombine.Combine(Crc32C.Finish(_crc), crc, n);
        Parse(run);
        _received += n;
        if (_parseAt == _payloadLength)
        {
            EndPayload();
        }
    }
}
