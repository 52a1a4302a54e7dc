using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Collects a device-state container that arrives in pieces of any size (the RESUMING data session): checks
/// the preamble, verifies the checksum frames, frames top-level fields, keeps the last copy of each (pre-copy may
/// resend a section), and notices the end marker.
/// </summary>
/// <remarks>
/// <para>A 1.1 container (and any container whose first item is a checksum frame) is framed: every byte after the
/// preamble is a frame header or a byte its frame covers. A frame's payload is checksummed and framed as it arrives
/// (DeviceStateAssembler.Framed.cs), but nothing of it is passed on (stored, or loaded early) before all of it arrived
/// and its CRC-32C matched, so no field of a damaged payload ever reaches the device's load code
/// (<see cref="ErrorCode.DeviceStateChecksumMismatch"/>). A 1.0 container (no frames) is framed field by field as
/// before.</para>
/// <para>Memory grows with the bytes actually received, never with a declared length beyond 4 MiB: a field (or a
/// frame's payload) that claims 1 GiB and delivers 10 bytes holds 10 bytes. A declared field length above
/// <see cref="MaxFieldLength"/> is refused at once (in a framed container, once its frame has been verified). The
/// sections of a device that loads early are not held at all beyond one pooled buffer reused per frame.</para>
/// </remarks>
internal sealed partial class DeviceStateAssembler : IDisposable
{
    private readonly string _device;
    private readonly StateBuffer _pending = new();
    private readonly List<ReadOnlyMemory<byte>> _fields = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly SectionLoader? _loader;
    private long _pendingTotal = -1;
    private byte[]? _direct;
    private int _directFilled;

    // Fields up to this size are allocated at their declared size as soon as their header arrives; larger ones
    // grow with the bytes received. Bounds what a lying length can cost to 4 MiB.
    private const int DirectAllocationLimit = 4 << 20;
    private bool _preambleDone;
    private long _received;

    // Whether the container is framed (decided by the first byte after the preamble); the framed path's state is in
    // DeviceStateAssembler.Framed.cs.
    private ushort _minor;
    private bool? _framed;

    // loader, when given, is a device that loads its sections as they arrive: they are not kept, and their byte
    // fields may go straight into the device's memory.
    public DeviceStateAssembler(string device, long maxFieldLength, SectionLoader? loader = null)
    {
        _loader = loader;
        _device = device;
        // A field is materialised as one array, so nothing beyond Array.MaxLength can ever be accepted.
        MaxFieldLength = Math.Min(maxFieldLength, Array.MaxLength);
    }

    /// <summary>Largest encoded top-level field accepted.</summary>
    public long MaxFieldLength { get; }

    /// <summary>True once the end marker was seen.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Feeds the next bytes of the container.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (IsComplete)
            {
                throw Malformed(null, $"{data.Length} byte(s) follow the end marker at byte {_received}");
            }
            if (!_preambleDone)
            {
                data = TakeInto(data, DeviceStateFormat.PreambleLength);
                if (_pending.Length == DeviceStateFormat.PreambleLength)
                {
                    CheckPreamble(_pending.WrittenSpan);
                    _chain = DeviceStateFormat.ChainStart(_pending.WrittenSpan);
                    _pending.Clear();
                    _preambleDone = true;
                }
                continue;
            }
            // A 1.1 container must be framed; a 1.0 one is framed only if it starts with a frame (a 1.0 writer never
            // wrote type 10, and a minor damaged to 0 must not turn the checks off).
            _framed ??= _minor >= DeviceStateFormat.FramedMinor || data[0] == DeviceStateFormat.FrameTag;
            if (_framed == true)
            {
                data = WriteFramed(data);
                continue;
            }
            if (_pendingTotal < 0 && _pending.Length == 0 && data[0] == DeviceStateFormat.EndTag)
            {
                IsComplete = true;
                _received++;
                data = data[1..];
                continue;
            }
            if (_pendingTotal < 0)
            {
                // Header of the next field: tag, name length, name, value length. Take bytes until it is whole.
                int need = _pending.Length < 2 ? 2 : 2 + _pending.WrittenSpan[1] + 4;
                data = TakeInto(data, need);
                long total = _pending.Length >= 2 ? DeviceStateReader.MeasureField(_pending.WrittenSpan) : -1;
                if (total < 0)
                {
                    continue;
                }
                if (total > MaxFieldLength)
                {
                    string name = Encoding.ASCII.GetString(_pending.WrittenSpan.Slice(2, _pending.WrittenSpan[1]));
                    throw Malformed(name, $"top-level field '{name}' declares {total} bytes, more than the limit of {MaxFieldLength}");
                }
                _pendingTotal = total;
                if (total <= DirectAllocationLimit)
                {
                    // Small enough to allocate up front whatever the sender claims: saves a copy per field.
                    _direct = new byte[total];
                    _pending.WrittenSpan.CopyTo(_direct);
                    _directFilled = _pending.Length;
                    _pending.Clear();
                }
            }
            if (_direct is not null)
            {
                int n = Math.Min(data.Length, _direct.Length - _directFilled);
                data[..n].CopyTo(_direct.AsSpan(_directFilled));
                _directFilled += n;
                _received += n;
                data = data[n..];
                if (_directFilled == _direct.Length)
                {
                    StoreField(_direct);
                    _direct = null;
                    _pendingTotal = -1;
                }
                continue;
            }
            data = TakeInto(data, (int)_pendingTotal);
            if (_pending.Length == _pendingTotal)
            {
                StoreField(_pending.WrittenSpan.ToArray());
                _pending.Clear();
                _pendingTotal = -1;
            }
        }
    }

    /// <summary>Checks the container ended properly and returns a reader over the last copy of every field.</summary>
    public DeviceStateReader Finish()
    {
        if (!IsComplete)
        {
            throw Malformed(null, $"saved state ends after {_received} bytes without its end marker (truncated)");
        }
        return DeviceStateReader.Parse(_device, "", _fields);
    }

    public void Dispose()
    {
        _pending.Dispose();
        _head.Dispose();
        _body.Dispose();
        _keptLarge?.Dispose();
    }

    private ReadOnlySpan<byte> TakeInto(ReadOnlySpan<byte> data, int upTo)
    {
        int n = Math.Min(data.Length, upTo - _pending.Length);
        data[..n].CopyTo(_pending.Append(n));
        _received += n;
        return data[n..];
    }

    private void StoreField(byte[] field) => StoreField(Encoding.ASCII.GetString(field, 2, field[1]), field);

    private void StoreField(string name, ReadOnlyMemory<byte> field)
    {
        // A device that loads this field now (one of its sections, while RESUMING) keeps nothing here.
        if (_loader is not null && _loader.Takes(name))
        {
            DeviceStateReader top = DeviceStateReader.Parse(_device, "", [field]);
            _loader.Load(name, top.ReadSection(name));
            top.Complete();
            return;
        }
        if (_byName.TryGetValue(name, out int index))
        {
            _fields[index] = field;
        }
        else
        {
            _byName.Add(name, _fields.Count);
            _fields.Add(field);
        }
    }

    private void CheckPreamble(ReadOnlySpan<byte> preamble)
    {
        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(preamble);
        if (magic != DeviceStateFormat.Magic)
        {
            throw Malformed(null, $"saved state starts with 0x{magic:X16}, expected 0x{DeviceStateFormat.Magic:X16} (\"VFIODST1\")");
        }
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        if (major != DeviceStateFormat.Major)
        {
            throw Malformed(null, $"saved state format {major.ToString(CultureInfo.InvariantCulture)}.{BinaryPrimitives.ReadUInt16LittleEndian(preamble[10..]).ToString(CultureInfo.InvariantCulture)} is not supported; expected {DeviceStateFormat.Major}.x");
        }
        _minor = BinaryPrimitives.ReadUInt16LittleEndian(preamble[10..]);
    }

    private DeviceStateException ChecksumMismatch(string what) => StateErrors.ChecksumMismatch(_device, what);

    private DeviceStateException Malformed(string? field, string what) => StateErrors.Malformed(_device, field, "", what);
}
