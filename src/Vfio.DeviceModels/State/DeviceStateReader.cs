using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Reads a device's saved state by field name (docs/device-state-format.md). A device's <c>LoadState</c>
/// receives one; <see cref="ReadSection"/> opens nested sections.
/// </summary>
/// <remarks>
/// <para>The structure is checked when a reader is created: every length is compared with the bytes that remain
/// before anything is sliced, fixed-size types must have their exact size, names must be valid and unique.
/// Values are slices of the input; nothing is allocated in proportion to a length field.</para>
/// <para>A field the device never reads is "unknown" to it. When loading completes, an unknown required field
/// fails the load (<see cref="ErrorCode.DeviceStateFieldUnknown"/>) and an unknown optional field is skipped.
/// Asking for a required field that is absent fails at once (<see cref="ErrorCode.DeviceStateMalformed"/>);
/// use the <c>TryRead</c> forms for fields an older source may not have written.</para>
/// </remarks>
public sealed class DeviceStateReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly string _device;
    private readonly string _path;
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    private DeviceStateReader(string device, string path)
    {
        _device = device;
        _path = path;
    }

    /// <summary>The device being loaded, for messages.</summary>
    public string Device => _device;

    /// <summary>The path of this section (empty for the top level).</summary>
    public string Path => _path;

    /// <summary>The names of the fields present, in stored order.</summary>
    public IEnumerable<string> FieldNames => _entries.Select(e => e.Name);

    /// <summary>Whether a field of that name is present (of any type).</summary>
    /// <param name="name">The field name.</param>
    /// <returns>True when present.</returns>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The stored type of a field, or null when absent (for tools that walk a state without knowing it).</summary>
    internal StateFieldType? TypeOf(string name) => _byName.TryGetValue(name, out int index) ? _entries[index].Type : null;

    /// <summary>Reads a required unsigned 8-bit field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public byte ReadU8(string name) => Required(name, StateFieldType.U8).Span[0];

    /// <summary>Reads a required unsigned 16-bit field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public ushort ReadU16(string name) => BinaryPrimitives.ReadUInt16LittleEndian(Required(name, StateFieldType.U16).Span);

    /// <summary>Reads a required unsigned 32-bit field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public uint ReadU32(string name) => BinaryPrimitives.ReadUInt32LittleEndian(Required(name, StateFieldType.U32).Span);

    /// <summary>Reads a required unsigned 64-bit field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public ulong ReadU64(string name) => BinaryPrimitives.ReadUInt64LittleEndian(Required(name, StateFieldType.U64).Span);

    /// <summary>Reads a required signed 64-bit field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public long ReadI64(string name) => BinaryPrimitives.ReadInt64LittleEndian(Required(name, StateFieldType.I64).Span);

    /// <summary>Reads a required boolean field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent, of another type, or not 0/1.</exception>
    public bool ReadBool(string name) => ToBool(name, Required(name, StateFieldType.Bool));

    /// <summary>Reads a required UTF-8 text field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The text.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent, of another type, or not UTF-8.</exception>
    public string ReadString(string name) => ToText(name, Required(name, StateFieldType.String));

    /// <summary>Reads a required byte field; the memory is a slice of the loaded state, valid during the load.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent or of another type.</exception>
    public ReadOnlyMemory<byte> ReadBytes(string name) => Required(name, StateFieldType.Bytes);

    /// <summary>Opens a required nested section.</summary>
    /// <param name="name">The section name.</param>
    /// <returns>A reader over the section's fields.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when absent, of another type, or malformed inside.</exception>
    public DeviceStateReader ReadSection(string name)
    {
        ReadOnlyMemory<byte> value = Required(name, StateFieldType.Section);
        return OpenChild(name, value);
    }

    /// <summary>Reads an unsigned 8-bit field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or 0.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadU8(string name, out byte value)
    {
        bool found = TryGet(name, StateFieldType.U8, out ReadOnlyMemory<byte> v);
        value = found ? v.Span[0] : (byte)0;
        return found;
    }

    /// <summary>Reads an unsigned 16-bit field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or 0.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadU16(string name, out ushort value)
    {
        bool found = TryGet(name, StateFieldType.U16, out ReadOnlyMemory<byte> v);
        value = found ? BinaryPrimitives.ReadUInt16LittleEndian(v.Span) : (ushort)0;
        return found;
    }

    /// <summary>Reads an unsigned 32-bit field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or 0.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadU32(string name, out uint value)
    {
        bool found = TryGet(name, StateFieldType.U32, out ReadOnlyMemory<byte> v);
        value = found ? BinaryPrimitives.ReadUInt32LittleEndian(v.Span) : 0;
        return found;
    }

    /// <summary>Reads an unsigned 64-bit field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or 0.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadU64(string name, out ulong value)
    {
        bool found = TryGet(name, StateFieldType.U64, out ReadOnlyMemory<byte> v);
        value = found ? BinaryPrimitives.ReadUInt64LittleEndian(v.Span) : 0;
        return found;
    }

    /// <summary>Reads a signed 64-bit field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or 0.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadI64(string name, out long value)
    {
        bool found = TryGet(name, StateFieldType.I64, out ReadOnlyMemory<byte> v);
        value = found ? BinaryPrimitives.ReadInt64LittleEndian(v.Span) : 0;
        return found;
    }

    /// <summary>Reads a boolean field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, or false.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type or not 0/1.</exception>
    public bool TryReadBool(string name, out bool value)
    {
        bool found = TryGet(name, StateFieldType.Bool, out ReadOnlyMemory<byte> v);
        value = found && ToBool(name, v);
        return found;
    }

    /// <summary>Reads a text field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The text, or null.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type or not UTF-8.</exception>
    public bool TryReadString(string name, out string? value)
    {
        bool found = TryGet(name, StateFieldType.String, out ReadOnlyMemory<byte> v);
        value = found ? ToText(name, v) : null;
        return found;
    }

    /// <summary>Reads a byte field if present.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The bytes, or empty.</param>
    /// <returns>True when the field is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type.</exception>
    public bool TryReadBytes(string name, out ReadOnlyMemory<byte> value) => TryGet(name, StateFieldType.Bytes, out value);

    /// <summary>Opens a nested section if present.</summary>
    /// <param name="name">The section name.</param>
    /// <param name="section">The section's reader, or null.</param>
    /// <returns>True when the section is present.</returns>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when present with another type or malformed inside.</exception>
    public bool TryReadSection(string name, out DeviceStateReader? section)
    {
        bool found = TryGet(name, StateFieldType.Section, out ReadOnlyMemory<byte> v);
        section = found ? OpenChild(name, v) : null;
        return found;
    }

    /// <summary>Parses a field list (the body of a section, or one or more top-level fields).</summary>
    internal static DeviceStateReader Parse(string device, string path, IEnumerable<ReadOnlyMemory<byte>> fieldLists)
    {
        var reader = new DeviceStateReader(device, path);
        foreach (ReadOnlyMemory<byte> list in fieldLists)
        {
            reader.AddFields(list);
        }
        return reader;
    }

    /// <summary>
    /// A reader over one top-level section received in pieces: the fields that were kept (<paramref name="fields"/>)
    /// and the byte fields that went straight into the device's memory (<paramref name="inPlace"/>), which count as
    /// read and whose value is that memory.
    /// </summary>
    internal static DeviceStateReader ForSection(string device, string section, ReadOnlyMemory<byte> fields, IReadOnlyList<InPlaceField>? inPlace)
    {
        var reader = new DeviceStateReader(device, section);
        reader.AddFields(fields);
        foreach (InPlaceField f in inPlace ?? [])
        {
            if (!reader._byName.TryAdd(f.Name, reader._entries.Count))
            {
                throw reader.Malformed(f.Name, $"field '{f.Name}' appears twice in one section");
            }
            reader._entries.Add(new Entry(f.Name, StateFieldType.Bytes, f.Required, f.Value) { Consumed = true });
        }
        return reader;
    }

    /// <summary>
    /// Checks, after the device's load code ran, that every required field was read, recursively through the
    /// sections that were opened. Unread optional fields are skipped.
    /// </summary>
    internal void Complete()
    {
        foreach (Entry e in _entries)
        {
            if (!e.Consumed && e.Required)
            {
                string path = DeviceStateWriter.Combine(_path, e.Name);
                throw StateErrors.FieldUnknown(_device, path, TypeName(e.Type));
            }
            e.Child?.Complete();
        }
    }

    /// <summary>
    /// The total encoded size of the field that starts <paramref name="data"/>, or -1 when <paramref name="data"/>
    /// is too short to hold its name and length yet. Used to frame top-level fields arriving in pieces.
    /// </summary>
    internal static long MeasureField(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return -1;
        }
        int nameLength = data[1];
        if (data.Length < 2 + nameLength + 4)
        {
            return -1;
        }
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(data[(2 + nameLength)..]);
        return (long)DeviceStateFormat.FieldOverhead + nameLength + valueLength;
    }

    private void AddFields(ReadOnlyMemory<byte> list)
    {
        int at = 0;
        ReadOnlySpan<byte> s = list.Span;
        while (at < s.Length)
        {
            int fieldStart = at;
            if (s.Length - at < 2)
            {
                throw Malformed(null, $"field list ends after {s.Length - at} byte(s) of a field header at byte {at}");
            }
            byte tag = s[at];
            int nameLength = s[at + 1];
            at += 2;
            if ((tag & DeviceStateFormat.ReservedBits) != 0 || (tag & DeviceStateFormat.TypeMask) == 0)
            {
                throw Malformed(null, $"field at byte {fieldStart} has tag 0x{tag:X2}; bits 5-6 must be zero and the type non-zero");
            }
            if (nameLength == 0 || nameLength > s.Length - at)
            {
                throw Malformed(null, $"field at byte {fieldStart} has a name of {nameLength} bytes, {s.Length - at} remain");
            }
            string name = Encoding.ASCII.GetString(s.Slice(at, nameLength));
            if (!DeviceStateFormat.IsValidName(name))
            {
                throw Malformed(null, $"field at byte {fieldStart} has an invalid name (ASCII letters, digits, '-', '_', '.' expected)");
            }
            at += nameLength;
            if (s.Length - at < 4)
            {
                throw Malformed(name, $"field '{name}' ends before its 4-byte length");
            }
            uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
            at += 4;
            if (valueLength > (uint)(s.Length - at))
            {
                throw Malformed(name, $"field '{name}' declares {valueLength} bytes, only {s.Length - at} remain");
            }
            var type = (StateFieldType)(tag & DeviceStateFormat.TypeMask);
            int fixedLength = DeviceStateFormat.FixedLength(type);
            if (fixedLength >= 0 && valueLength != fixedLength)
            {
                throw Malformed(name, $"field '{name}' is {TypeName(type)} with {valueLength} bytes, expected {fixedLength}");
            }
            if (!_byName.TryAdd(name, _entries.Count))
            {
                throw Malformed(name, $"field '{name}' appears twice in one section");
            }
            _entries.Add(new Entry(name, type, (tag & DeviceStateFormat.RequiredBit) != 0, list.Slice(at, (int)valueLength)));
            at += (int)valueLength;
        }
    }

    private ReadOnlyMemory<byte> Required(string name, StateFieldType type)
    {
        if (!TryGet(name, type, out ReadOnlyMemory<byte> value))
        {
            throw Malformed(name, $"required {TypeName(type)} field '{DeviceStateWriter.Combine(_path, name)}' is missing from the saved state");
        }
        return value;
    }

    private bool TryGet(string name, StateFieldType type, out ReadOnlyMemory<byte> value)
    {
        if (!_byName.TryGetValue(name, out int index))
        {
            value = default;
            return false;
        }
        Entry e = _entries[index];
        if (e.Type != type)
        {
            throw Malformed(name, $"field '{DeviceStateWriter.Combine(_path, name)}' is {TypeName(e.Type)}, expected {TypeName(type)}");
        }
        e.Consumed = true;
        value = e.Value;
        return true;
    }

    private DeviceStateReader OpenChild(string name, ReadOnlyMemory<byte> value)
    {
        Entry e = _entries[_byName[name]];
        if (e.Child is null)
        {
            e.Child = new DeviceStateReader(_device, DeviceStateWriter.Combine(_path, name));
            e.Child.AddFields(value);
        }
        return e.Child;
    }

    private bool ToBool(string name, ReadOnlyMemory<byte> v) => v.Span[0] switch
    {
        0 => false,
        1 => true,
        byte b => throw Malformed(name, $"boolean field '{DeviceStateWriter.Combine(_path, name)}' holds {b}, expected 0 or 1"),
    };

    private string ToText(string name, ReadOnlyMemory<byte> v)
    {
        try
        {
            return StrictUtf8.GetString(v.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed(name, $"string field '{DeviceStateWriter.Combine(_path, name)}' is not valid UTF-8");
        }
    }

    private DeviceStateException Malformed(string? name, string what)
    {
        string? path = name is null ? (_path.Length == 0 ? null : _path) : DeviceStateWriter.Combine(_path, name);
        return StateErrors.Malformed(_device, path, _path, what);
    }

    internal static string TypeName(StateFieldType type) =>
        DeviceStateFormat.IsKnown(type) ? type.ToString().ToLowerInvariant() : "type " + ((byte)type).ToString(CultureInfo.InvariantCulture);

    private sealed class Entry(string name, StateFieldType type, bool required, ReadOnlyMemory<byte> value)
    {
        public string Name { get; } = name;
        public StateFieldType Type { get; } = type;
        public bool Required { get; } = required;
        public ReadOnlyMemory<byte> Value { get; } = value;
        public bool Consumed { get; set; }
        public DeviceStateReader? Child { get; set; }
    }
}

/// <summary>A byte field of a section that was copied straight into the device's memory while it arrived.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Required">Whether the field was marked required.</param>
/// <param name="Value">The device memory that holds it.</param>
internal readonly record struct InPlaceField(string Name, bool Required, ReadOnlyMemory<byte> Value);
