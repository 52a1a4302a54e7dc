using System.Buffers.Binary;
using System.Text;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Writes a device's state as named, typed fields (docs/device-state-format.md). A device's
/// <c>SaveState</c> receives one; nested data goes into sections through <see cref="WriteSection"/>.
/// </summary>
/// <remarks>
/// Every field is written with its type, its presence (required or optional) and its length, so a loader can
/// skip any optional field it does not know without understanding it. Names are unique within a section.
/// The optional <c>since</c> argument names the model version or parameter that introduced a field; it is
/// not written into the state, only into the schema export (<see cref="DeviceStateSchema"/>).
/// </remarks>
public sealed class DeviceStateWriter
{
    private readonly StateBuffer _buffer;
    private readonly SchemaRecorder? _schema;
    private readonly string _path;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    internal DeviceStateWriter(StateBuffer buffer, SchemaRecorder? schema, string path)
    {
        _buffer = buffer;
        _schema = schema;
        _path = path;
    }

    /// <summary>Writes an unsigned 8-bit field.</summary>
    /// <param name="name">Field name: 1-255 ASCII letters, digits, '-', '_' or '.', unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU8(string name, byte value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => Fixed(name, StateFieldType.U8, presence, since, 1)[0] = value;

    /// <summary>Writes an unsigned 16-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU16(string name, ushort value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => BinaryPrimitives.WriteUInt16LittleEndian(Fixed(name, StateFieldType.U16, presence, since, 2), value);

    /// <summary>Writes an unsigned 32-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU32(string name, uint value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => BinaryPrimitives.WriteUInt32LittleEndian(Fixed(name, StateFieldType.U32, presence, since, 4), value);

    /// <summary>Writes an unsigned 64-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU64(string name, ulong value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => BinaryPrimitives.WriteUInt64LittleEndian(Fixed(name, StateFieldType.U64, presence, since, 8), value);

    /// <summary>Writes a signed 64-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteI64(string name, long value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => BinaryPrimitives.WriteInt64LittleEndian(Fixed(name, StateFieldType.I64, presence, since, 8), value);

    /// <summary>Writes a boolean field (one byte, 0 or 1).</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteBool(string name, bool value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => Fixed(name, StateFieldType.Bool, presence, since, 1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a UTF-8 text field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The text.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteString(string name, string value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        int length = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, Fixed(name, StateFieldType.String, presence, since, length));
    }

    /// <summary>Writes an opaque byte field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteBytes(string name, ReadOnlySpan<byte> value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => value.CopyTo(Fixed(name, StateFieldType.Bytes, presence, since, value.Length));

    /// <summary>Writes a nested section; <paramref name="body"/> writes its fields.</summary>
    /// <param name="name">Section name, unique in this section.</param>
    /// <param name="body">Writes the section's fields through the writer it is given.</param>
    /// <param name="presence">Whether an older loader may skip the whole section.</param>
    /// <param name="since">The version or parameter that introduced the section (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteSection(string name, Action<DeviceStateWriter> body, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        int start = BeginField(name, StateFieldType.Section, presence, since);
        int valueStart = _buffer.Length;
        body(new DeviceStateWriter(_buffer, _schema, Combine(_path, name)));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.At(start, 4), (uint)(_buffer.Length - valueStart));
    }

    private Span<byte> Fixed(string name, StateFieldType type, FieldPresence presence, string? since, int length)
    {
        int lengthAt = BeginField(name, type, presence, since);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.At(lengthAt, 4), (uint)length);
        return _buffer.Append(length);
    }

    // Writes tag, name and a placeholder length; returns the offset of the length.
    private int BeginField(string name, StateFieldType type, FieldPresence presence, string? since)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DeviceStateFormat.IsValidName(name))
        {
            throw new ArgumentException($"state field name '{name}' must be 1-{DeviceStateFormat.MaxNameLength} ASCII letters, digits, '-', '_' or '.'", nameof(name));
        }
        if (!_names.Add(name))
        {
            throw new ArgumentException($"state field '{Combine(_path, name)}' is written twice; names are unique within a section", nameof(name));
        }
        _schema?.Record(Combine(_path, name), type, presence, since);
        Span<byte> head = _buffer.Append(2 + name.Length);
        head[0] = (byte)((byte)type | (presence == FieldPresence.Required ? DeviceStateFormat.RequiredBit : 0));
        head[1] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, head[2..]);
        int lengthAt = _buffer.Length;
        _buffer.Append(4);
        return lengthAt;
    }

    internal static string Combine(string path, string name) => path.Length == 0 ? name : path + "/" + name;
}
