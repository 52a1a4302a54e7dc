using System.Buffers.Binary;
using System.Text;
using Vfio.DeviceModels.Streams;

namespace Vfio.DeviceModels.State;

/// <summary>The framed (1.1) container: each checksum frame's payload is parsed as it arrives.</summary>
/// <remarks>
/// <para>The payload's bytes are checksummed and parsed in one pass over the caller's span. A top-level field is
/// kept in an array of its size (at most 4 MiB up front, larger ones grow with the bytes received), except a section
/// of a device that loads early (<see cref="SectionLoader"/>): its byte fields for which the device names a target
/// are copied straight into the device's memory, its other fields into one pooled buffer reused from frame to frame.
/// Nothing is passed on before the whole payload arrived and its CRC-32C matched: kept fields are stored and
/// sections loaded only then, so no field of a damaged payload reaches the device's load code. A target field's
/// bytes are in the device's memory before that check; on a mismatch the load fails and the device is left in ERROR,
/// as for any failed load. Structural errors found while parsing are reported once the CRC matched (a damaged
/// length is a checksum mismatch, not a malformed field).</para>
/// </remarks>
internal sealed partial class DeviceStateAssembler
{
    private const int ParseStep = 64 << 10;

    // The chain value the next frame continues, and the frame being received: its payload length (-1 between
    // frames), its expected CRC, where its payload starts, how much of it arrived and the running CRC.
    private uint _chain;
    private long _payloadLength = -1;
    private uint _payloadCrc;
    private long _frameStart;
    private long _parseAt;
    private uint _crc;

    // The first structural error in the payload, reported once its CRC matched; the end marker inside it; and the
    // fields completed in it, passed on once it is verified.
    private string? _deferredWhat;
    private string? _deferredField;
    private bool _endInPayload;
    private readonly List<Arrived> _arrived = [];

    // The field being parsed: a header collecting (top-level or inside a section), a kept top-level field, or the
    // inside of a section loaded early (its bytes left, its kept fields in _body, its in-place fields).
    private Part _part;
    private readonly StateBuffer _head = new();
    private byte[]? _kept;
    private int _keptFilled;
    private StateBuffer? _keptLarge;
    private long _keptTotal;
    private string _section = "";
    private long _sectionLeft;
    private int _bodyStart;
    private List<InPlaceField>? _inPlace;
    private readonly StateBuffer _body = new();
    private long _innerLeft;
    private Memory<byte> _target;
    private int _targetFilled;

    private enum Part
    {
        Head,
        Kept,
        InnerHead,
        InnerValue,
        InnerTarget,
        InnerRaw,
    }

    // Framed container: a frame header, then the payload it covers.
    private ReadOnlySpan<byte> WriteFramed(ReadOnlySpan<byte> data)
    {
        if (_payloadLength < 0)
        {
            if (_pending.Length == 0)
            {
                _frameStart = _received;
            }
            data = TakeInto(data, DeviceStateFormat.FrameLength);
            if (_pending.Length < DeviceStateFormat.FrameLength)
            {
                return data;
            }
            string? wrong = DeviceStateFormat.OpenFrame(_pending.WrittenSpan, ref _chain, out uint covered, out _payloadCrc);
            if (wrong is not null)
            {
                throw ChecksumMismatch($"{wrong} at byte {_frameStart}; every byte after the preamble of a {DeviceStateFormat.Major}.{_minor} saved state is covered by a checksum");
            }
            if (covered > Array.MaxLength)
            {
                throw Malformed(null, $"checksum frame at byte {_frameStart} covers {covered} bytes, more than one array holds");
            }
            _pending.Clear();
            StartPayload(covered);
        }
        int n = (int)Math.Min(data.Length, _payloadLength - _parseAt);
        ReadOnlySpan<byte> piece = data[..n];
        // Checksum and parse a step at a time, so the parse reads bytes the checksum just brought into the cache.
        while (!piece.IsEmpty)
        {
            ReadOnlySpan<byte> step = piece[..Math.Min(piece.Length, ParseStep)];
            _crc = Crc32C.Append(_crc, step);
            Parse(step);
            piece = piece[step.Length..];
        }
        _received += n;
        if (_parseAt == _payloadLength)
        {
            EndPayload();
        }
        return data[n..];
    }

    private void StartPayload(long covered)
    {
        _payloadLength = covered;
        _frameStart = _received;
        _parseAt = 0;
        _crc = Crc32C.Seed;
        _deferredWhat = _deferredField = null;
        _endInPayload = false;
        _arrived.Clear();
        _body.Clear();
        _head.Clear();
        _part = Part.Head;
    }

    private void EndPayload()
    {
        long length = _payloadLength;
        _payloadLength = -1;
        uint computed = Crc32C.Finish(_crc);
        if (computed != _payloadCrc)
        {
            throw ChecksumMismatch($"the {length} bytes from byte {_frameStart} have CRC-32C 0x{computed:X8}, the saving device wrote 0x{_payloadCrc:X8}");
        }
        if (_deferredWhat is null && (_part != Part.Head || _head.Length > 0))
        {
            Defer(null, $"a top-level field at byte {_frameStart + _parseAt - _head.Length} does not end inside its checksum frame (which ends at byte {_frameStart + length})");
        }
        if (_deferredWhat is not null)
        {
            throw Malformed(_deferredField, _deferredWhat);
        }
        IsComplete |= _endInPayload;
        foreach (Arrived a in _arrived)
        {
            if (a.Kept is not null)
            {
                StoreField(a.Name, a.Kept);
            }
            else
            {
                DeviceStateReader reader = DeviceStateReader.ForSection(_device, a.Name, _body.WrittenMemory.Slice(a.BodyStart, a.BodyLength), a.InPlace);
                _loader!.Load(a.Name, reader);
                reader.Complete();
            }
        }
        _arrived.Clear();
    }

    private void Parse(ReadOnlySpan<byte> s)
    {
        while (!s.IsEmpty)
        {
            if (_deferredWhat is not null)
            {
                _parseAt += s.Length; // the payload is only checksummed now; its error is reported at its end
                return;
            }
            s = _part switch
            {
                Part.Head => TopHead(s),
                Part.Kept => KeptBytes(s),
                Part.InnerHead => InnerHead(s),
                Part.InnerValue => InnerValue(s),
                Part.InnerTarget => InnerTarget(s),
                _ => InnerRaw(s),
            };
        }
    }

    private ReadOnlySpan<byte> TopHead(ReadOnlySpan<byte> s)
    {
        if (_head.Length == 0)
        {
            if (_endInPayload)
            {
                Defer(null, $"{_payloadLength - _parseAt} byte(s) follow the end marker inside the checksum frame at byte {_frameStart}");
                return s;
            }
            if (s[0] == DeviceStateFormat.EndTag)
            {
                _endInPayload = true;
                _parseAt++;
                return s[1..];
            }
        }
        s = TakeHead(s, _head.Length < 2 ? 2 : 2 + _head.WrittenSpan[1] + 4);
        long total = DeviceStateReader.MeasureField(_head.WrittenSpan);
        if (total < 0)
        {
            return s;
        }
        ReadOnlySpan<byte> head = _head.WrittenSpan;
        long fieldStart = _parseAt - head.Length;
        if (total > _payloadLength - fieldStart)
        {
            Defer(null, $"a top-level field at byte {_frameStart + fieldStart} does not end inside its checksum frame (which ends at byte {_frameStart + _payloadLength})");
            return s;
        }
        string name = Encoding.ASCII.GetString(head.Slice(2, head[1]));
        if (total > MaxFieldLength)
        {
            Defer(name, $"top-level field '{name}' declares {total} bytes, more than the limit of {MaxFieldLength}");
            return s;
        }
        if (_loader is not null && (head[0] & ~DeviceStateFormat.RequiredBit) == (byte)StateFieldType.Section && _loader.Takes(name))
        {
            _section = name;
            _sectionLeft = total - head.Length;
            _bodyStart = _body.Length;
            _inPlace = null;
            _head.Clear();
            _part = Part.InnerHead;
            EndSectionIfDone();
            return s;
        }
        _keptTotal = total;
        if (total <= DirectAllocationLimit)
        {
            _kept = new byte[total];
            head.CopyTo(_kept);
            _keptFilled = head.Length;
        }
        else
        {
            // A large declared length is not trusted with an allocation: the buffer grows with the bytes received.
            _keptLarge ??= new StateBuffer();
            _keptLarge.Clear();
            head.CopyTo(_keptLarge.Append(head.Length));
        }
        _head.Clear();
        _part = Part.Kept;
        return KeptBytes(s);
    }

    private ReadOnlySpan<byte> KeptBytes(ReadOnlySpan<byte> s)
    {
        long filled = _kept is not null ? _keptFilled : _keptLarge!.Length;
        int n = (int)Math.Min(s.Length, _keptTotal - filled);
        if (_kept is not null)
        {
            s[..n].CopyTo(_kept.AsSpan(_keptFilled));
            _keptFilled += n;
        }
        else
        {
            s[..n].CopyTo(_keptLarge!.Append(n));
        }
        _parseAt += n;
        if (filled + n == _keptTotal)
        {
            byte[] field = _kept ?? _keptLarge!.WrittenSpan.ToArray();
            _arrived.Add(new Arrived(Encoding.ASCII.GetString(field, 2, field[1]), field, 0, 0, null));
            _kept = null;
            _part = Part.Head;
        }
        return s[n..];
    }

    // A field header inside a section loaded early.
    private ReadOnlySpan<byte> InnerHead(ReadOnlySpan<byte> s)
    {
        int need = _head.Length < 2 ? 2 : 2 + _head.WrittenSpan[1] + 4;
        if (need - _head.Length > _sectionLeft)
        {
            // The header does not fit in the section: keep the rest as it is, for the reader to report.
            return ToRaw(s);
        }
        int before = _head.Length;
        s = TakeHead(s, need);
        _sectionLeft -= _head.Length - before;
        if (_head.Length < need || need == 2)
        {
            return s;
        }
        ReadOnlySpan<byte> head = _head.WrittenSpan;
        byte tag = head[0];
        string name = Encoding.ASCII.GetString(head.Slice(2, head[1]));
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(head[^4..]);
        if (valueLength > _sectionLeft)
        {
            return ToRaw(s);
        }
        if ((tag & ~DeviceStateFormat.RequiredBit) == (byte)StateFieldType.Bytes && valueLength > 0 && DeviceStateFormat.IsValidName(name))
        {
            Memory<byte> target = _loader!.Target(_section, name, (int)valueLength);
            if (target.Length == valueLength)
            {
                (_inPlace ??= []).Add(new InPlaceField(name, (tag & DeviceStateFormat.RequiredBit) != 0, target));
                _target = target;
                _targetFilled = 0;
                _head.Clear();
                _part = Part.InnerTarget;
                return s;
            }
        }
        head.CopyTo(_body.Append(head.Length));
        _head.Clear();
        _innerLeft = valueLength;
        _part = Part.InnerValue;
        EndFieldIfDone();
        return s;
    }

    private ReadOnlySpan<byte> InnerValue(ReadOnlySpan<byte> s)
    {
        int n = (int)Math.Min(s.Length, _innerLeft);
        s[..n].CopyTo(_body.Append(n));
        Advance(n);
        _innerLeft -= n;
        EndFieldIfDone();
        return s[n..];
    }

    private ReadOnlySpan<byte> InnerTarget(ReadOnlySpan<byte> s)
    {
        int n = Math.Min(s.Length, _target.Length - _targetFilled);
        s[..n].CopyTo(_target.Span[_targetFilled..]);
        Advance(n);
        _targetFilled += n;
        if (_targetFilled == _target.Length)
        {
            _target = default;
            _part = Part.InnerHead;
            EndSectionIfDone();
        }
        return s[n..];
    }

    private ReadOnlySpan<byte> ToRaw(ReadOnlySpan<byte> s)
    {
        _head.WrittenSpan.CopyTo(_body.Append(_head.Length));
        _head.Clear();
        _part = Part.InnerRaw;
        EndSectionIfDone();
        return s;
    }

    private ReadOnlySpan<byte> InnerRaw(ReadOnlySpan<byte> s)
    {
        int n = (int)Math.Min(s.Length, _sectionLeft);
        s[..n].CopyTo(_body.Append(n));
        Advance(n);
        EndSectionIfDone();
        return s[n..];
    }

    private void Advance(int n)
    {
        _parseAt += n;
        _sectionLeft -= n;
    }

    private void EndFieldIfDone()
    {
        if (_innerLeft == 0)
        {
            _part = Part.InnerHead;
            EndSectionIfDone();
        }
    }

    private void EndSectionIfDone()
    {
        if (_sectionLeft == 0 && _head.Length == 0)
        {
            _arrived.Add(new Arrived(_section, null, _bodyStart, _body.Length - _bodyStart, _inPlace));
            _inPlace = null;
            _part = Part.Head;
        }
    }

    private ReadOnlySpan<byte> TakeHead(ReadOnlySpan<byte> s, int upTo)
    {
        int n = Math.Min(s.Length, upTo - _head.Length);
        s[..n].CopyTo(_head.Append(n));
        _parseAt += n;
        return s[n..];
    }

    private void Defer(string? field, string what)
    {
        _deferredWhat = what;
        _deferredField = field;
    }

    /// <summary>A top-level field complete in the current payload: kept whole, or a section loaded early.</summary>
    private sealed record Arrived(string Name, byte[]? Kept, int BodyStart, int BodyLength, List<InPlaceField>? InPlace);
}
