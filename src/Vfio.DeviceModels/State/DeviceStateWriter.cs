using System.Buffers;
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
    // Values up to this size are encoded on the stack before they go to the sink; longer strings use a pooled array.
    private const int StackValueLength = 256;
    private readonly StateSink _sink;
    private readonly SchemaRecorder? _schema;
    private readonly string _path;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    internal DeviceStateWriter(StateBuffer buffer, SchemaRecorder? schema, string path)
        : this(new BufferSink(buffer), schema, path)
    {
    }

    internal DeviceStateWriter(StateSink sink, SchemaRecorder? schema, string path)
    {
        _sink = sink;
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
    {
        Span<byte> v = [value];
        Field(name, StateFieldType.U8, presence, since, v);
    }

    /// <summary>Writes an unsigned 16-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU16(string name, ushort value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        Span<byte> v = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        Field(name, StateFieldType.U16, presence, since, v);
    }

    /// <summary>Writes an unsigned 32-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU32(string name, uint value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        Field(name, StateFieldType.U32, presence, since, v);
    }

    /// <summary>Writes an unsigned 64-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteU64(string name, ulong value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(v, value);
        Field(name, StateFieldType.U64, presence, since, v);
    }

    /// <summary>Writes a signed 64-bit field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteI64(string name, long value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(v, value);
        Field(name, StateFieldType.I64, presence, since, v);
    }

    /// <summary>Writes a boolean field (one byte, 0 or 1).</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The value.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteBool(string name, bool value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        Span<byte> v = [value ? (byte)1 : (byte)0];
        Field(name, StateFieldType.Bool, presence, since, v);
    }

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
        byte[]? rented = length > StackValueLength ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> v = rented is null ? stackalloc byte[StackValueLength] : rented;
        v = v[..Encoding.UTF8.GetBytes(value, v)];
        Field(name, StateFieldType.String, presence, since, v);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes an opaque byte field.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteBytes(string name, ReadOnlySpan<byte> value, FieldPresence presence = FieldPresence.Required, string? since = null)
        => Field(name, StateFieldType.Bytes, presence, since, value);

    /// <summary>Writes an opaque byte field from an array.</summary>
    /// <param name="name">Field name, unique in this section.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="presence">Whether an older loader may skip the field.</param>
    /// <param name="since">The version or parameter that introduced the field (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    /// <remarks>
    /// The same bytes as the span overload. In STOP_COPY the SDK sends an array of 4 KiB or more from the array itself,
    /// after <c>SaveSection</c> returns, instead of copying it first (one copy per byte: device memory to the
    /// reader's buffer), so the array must not change until <c>SaveSection</c> has returned and the section was read;
    /// in practice: do not reuse one scratch array for two fields of one section. A changed array is caught by the
    /// checksum (E4012 on the loading side), never loaded.
    /// </remarks>
    public void WriteBytes(string name, byte[] value, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> head = stackalloc byte[DeviceStateFormat.FieldOverhead + DeviceStateFormat.MaxNameLength];
        head = Header(head, name, StateFieldType.Bytes, presence, since);
        BinaryPrimitives.WriteUInt32LittleEndian(head[^4..], (uint)value.Length);
        _sink.Write(head);
        _sink.WriteArray(value);
    }

    /// <summary>Writes a nested section; <paramref name="body"/> writes its fields.</summary>
    /// <param name="name">Section name, unique in this section.</param>
    /// <param name="body">Writes the section's fields through the writer it is given.</param>
    /// <param name="presence">Whether an older loader may skip the whole section.</param>
    /// <param name="since">The version or parameter that introduced the section (schema only).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name.</exception>
    public void WriteSection(string name, Action<DeviceStateWriter> body, FieldPresence presence = FieldPresence.Required, string? since = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Span<byte> head = stackalloc byte[DeviceStateFormat.FieldOverhead + DeviceStateFormat.MaxNameLength];
        head = Header(head, name, StateFieldType.Section, presence, since);
        BinaryPrimitives.WriteUInt32LittleEndian(head[^4..], _sink.BeginSection(head.Length));
        _sink.Write(head);
        body(new DeviceStateWriter(_sink, _schema, Combine(_path, name)));
        _sink.EndSection();
    }

    // One field of known length: header, then the value.
    private void Field(string name, StateFieldType type, FieldPresence presence, string? since, ReadOnlySpan<byte> value)
    {
        Span<byte> head = stackalloc byte[DeviceStateFormat.FieldOverhead + DeviceStateFormat.MaxNameLength];
        head = Header(head, name, type, presence, since);
        BinaryPrimitives.WriteUInt32LittleEndian(head[^4..], (uint)value.Length);
        _sink.Write(head);
        _sink.Write(value);
    }

    // Checks the name and encodes tag, name length, name and room for the value length into the start of space.
    private Span<byte> Header(Span<byte> space, string name, StateFieldType type, FieldPresence presence, string? since)
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
        space[0] = (byte)((byte)type | (presence == FieldPresence.Required ? DeviceStateFormat.RequiredBit : 0));
        space[1] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, space[2..]);
        return space[..(DeviceStateFormat.FieldOverhead + name.Length)];
    }

    internal static string Combine(string path, string name) => path.Length == 0 ? name : path + "/" + name;
}
