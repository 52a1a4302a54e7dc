using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Collects a device-state container that arrives in pieces of any size (the RESUMING data session): checks
/// the preamble, frames top-level fields, keeps the last copy of each (pre-copy may resend a section), and
/// notices the end marker.
/// </summary>
/// <remarks>
/// Memory grows with the bytes actually received, never with a declared length beyond 4 MiB: a field that claims
/// 1 GiB and delivers 10 bytes holds 10 bytes. A declared length above <see cref="MaxFieldLength"/> is refused at once.
/// </remarks>
internal sealed class DeviceStateAssembler : IDisposable
{
    private readonly string _device;
    private readonly StateBuffer _pending = new();
    private readonly List<byte[]> _fields = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Func<string, ReadOnlyMemory<byte>, bool>? _takeEarly;
    private long _pendingTotal = -1;
    private byte[]? _direct;
    private int _directFilled;

    // Fields up to this size are allocated at their declared size as soon as their header arrives; larger ones
    // grow with the bytes received. Bounds what a lying length can cost to 4 MiB.
    private const int DirectAllocationLimit = 4 << 20;
    private bool _preambleDone;
    private long _received;

    // takeEarly, when given, sees every complete top-level field as it arrives (its name and whole encoding) and
    // returns true when it consumed it, so it is not kept.
    public DeviceStateAssembler(string device, long maxFieldLength, Func<string, ReadOnlyMemory<byte>, bool>? takeEarly = null)
    {
        _takeEarly = takeEarly;
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
                    _pending.Clear();
                    _preambleDone = true;
                }
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
        return DeviceStateReader.Parse(_device, "", _fields.Select(f => (ReadOnlyMemory<byte>)f));
    }

    public void Dispose() => _pending.Dispose();

    private ReadOnlySpan<byte> TakeInto(ReadOnlySpan<byte> data, int upTo)
    {
        int n = Math.Min(data.Length, upTo - _pending.Length);
        data[..n].CopyTo(_pending.Append(n));
        _received += n;
        return data[n..];
    }

    private void StoreField(byte[] field)
    {
        string name = Encoding.ASCII.GetString(field, 2, field[1]);
        // A consumer that loads this field now (a device section, while RESUMING) keeps nothing here.
        if (_takeEarly is not null && _takeEarly(name, field))
        {
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
    }

    private DeviceStateException Malformed(string? field, string what) =>
        new(ErrorCode.DeviceStateMalformed, _device, field, $"device {_device}: malformed saved state: {what}");
}
