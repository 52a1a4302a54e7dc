using System.Buffers.Binary;

namespace Vfio.Tests.Devices;

/// <summary>
/// Writes little-endian fields at explicit offsets into a zeroed buffer, so a test spells out a region-info buffer
/// the way linux/vfio.h lays it out (vfio_info_cap_header at 0: id u16, version u16, next u32) without going through
/// the writer under test.
/// </summary>
internal sealed class InfoBufferBuilder(int size)
{
    private readonly byte[] _buffer = new byte[size];

    public InfoBufferBuilder U16(int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), value);
        return this;
    }

    public InfoBufferBuilder U32(int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset), value);
        return this;
    }

    public InfoBufferBuilder U64(int offset, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(offset), value);
        return this;
    }

    /// <summary>A vfio_info_cap_header.</summary>
    public InfoBufferBuilder Cap(int offset, ushort id, ushort version, uint next) => U16(offset, id).U16(offset + 2, version).U32(offset + 4, next);

    public byte[] Build() => _buffer;
}
