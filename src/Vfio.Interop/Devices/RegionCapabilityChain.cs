using System.Buffers.Binary;
using Vfio.Errors;

namespace Vfio.Devices;

/// <summary>
/// Parses the capability chain of a <c>vfio_region_info</c> buffer, as <c>VFIO_DEVICE_GET_REGION_INFO</c> fills it:
/// each capability starts with <c>struct vfio_info_cap_header { __u16 id; __u16 version; __u32 next; }</c>, where
/// <c>next</c> is the offset of the following capability from the start of the buffer and 0 ends the chain.
/// </summary>
/// <remarks>
/// Pure: it reads bytes and never calls the kernel, so the kernel device and the emulated device share it and tests
/// feed it hand-made buffers. A chain from a buggy or hostile driver must not hang or crash the caller, so every
/// offset is checked: inside the buffer, a whole header, strictly after the previous capability, no loop.
/// </remarks>
public static class RegionCapabilityChain
{
    /// <summary>Size of <c>struct vfio_info_cap_header</c>.</summary>
    public const int HeaderSize = 8;

    /// <summary>Parses the chain that starts at <paramref name="firstOffset"/>.</summary>
    /// <param name="infoBuffer">The whole info buffer (<c>argsz</c> bytes), the struct first.</param>
    /// <param name="firstOffset">The struct's <c>cap_offset</c>; 0 means no capabilities.</param>
    /// <param name="device">The device the buffer came from, for messages.</param>
    /// <returns>The capabilities in chain order.</returns>
    /// <exception cref="VfioException">
    /// <see cref="ErrorCode.CapabilityChainMalformed"/> when an offset points outside the buffer, backwards, into the
    /// previous capability, or back to one already visited, or when a capability does not fit before the next.
    /// </exception>
    public static IReadOnlyList<RegionCapability> Parse(ReadOnlySpan<byte> infoBuffer, uint firstOffset, string? device = null)
    {
        var result = new List<RegionCapability>();
        var visited = new HashSet<uint>();
        uint offset = firstOffset;
        uint previous = 0;
        // The end of the previous capability's fixed part: the next one may not start inside it.
        ulong previousEnd = 0;
        while (offset != 0)
        {
            if (!visited.Add(offset))
            {
                throw Malformed(device, offset, $"the chain loops back to offset {offset} (reached again from offset {previous})");
            }
            if (offset < previousEnd)
            {
                string how = offset <= previous ? "backwards" : "into the previous capability";
                throw Malformed(device, offset, $"capability at offset {previous} points {how} to offset {offset}; the next capability must start at or after {previousEnd}");
            }
            if ((ulong)offset + HeaderSize > (ulong)infoBuffer.Length)
            {
                string what = offset >= infoBuffer.Length ? "is outside" : "leaves no room for an 8-byte header in";
                throw Malformed(device, offset, $"capability offset {offset} {what} the {infoBuffer.Length}-byte info buffer");
            }

            ReadOnlySpan<byte> at = infoBuffer[(int)offset..];
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(at);
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(at[2..]);
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(at[4..]);

            if (next != 0 && next > offset && next < (ulong)offset + HeaderSize)
            {
                throw Malformed(device, next, $"capability at offset {offset} points to offset {next}, inside its own 8-byte header");
            }

            // A capability owns the bytes up to the next one (or the end of the buffer), so a capability too long
            // for that space overlaps the next one.
            bool bounded = next > offset && next <= infoBuffer.Length;
            int limit = bounded ? (int)next : infoBuffer.Length;
            string space = bounded ? $"before the next capability at offset {next}" : "before the end of the buffer";
            ReadOnlySpan<byte> body = infoBuffer[(int)offset..limit];
            // Version 1 is the only one the kernel has defined for both known ids; later versions may only append.
            RegionCapability capability = id switch
            {
                Interop.Vfio.VFIO_REGION_INFO_CAP_SPARSE_MMAP => ParseSparseMmap(body, offset, space, device),
                Interop.Vfio.VFIO_REGION_INFO_CAP_TYPE => ParseType(body, offset, space, device),
                _ => new UnknownCapability(id, version, body[HeaderSize..].ToArray()),
            };
            result.Add(capability);

            previous = offset;
            previousEnd = (ulong)offset + (ulong)FixedSize(capability);
            offset = next;
        }
        return result;
    }

    // sizeof the capability struct plus its trailing array, i.e. what the next capability must not overlap.
    private static int FixedSize(RegionCapability capability) => capability switch
    {
        SparseMmapCapability sparse => SparseHeaderSize + (sparse.Areas.Count * AreaSize),
        RegionTypeCapability => TypeSize,
        _ => HeaderSize,
    };

    private const int SparseHeaderSize = 16; // sizeof(struct vfio_region_info_cap_sparse_mmap)
    private const int AreaSize = 16;         // sizeof(struct vfio_region_sparse_mmap_area)
    private const int TypeSize = 16;         // sizeof(struct vfio_region_info_cap_type)

    private static SparseMmapCapability ParseSparseMmap(ReadOnlySpan<byte> body, uint offset, string space, string? device)
    {
        if (body.Length < SparseHeaderSize)
        {
            throw Malformed(device, offset, $"sparse mmap capability at offset {offset} has {body.Length} bytes {space}, needs {SparseHeaderSize}");
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
        if ((ulong)SparseHeaderSize + ((ulong)count * AreaSize) > (ulong)body.Length)
        {
            throw Malformed(device, offset, $"sparse mmap capability at offset {offset} declares {count} areas ({SparseHeaderSize + ((ulong)count * AreaSize)} bytes) but has {body.Length} bytes {space}");
        }
        var areas = new (ulong Offset, ulong Size)[count];
        for (int i = 0; i < areas.Length; i++)
        {
            ReadOnlySpan<byte> area = body[(SparseHeaderSize + (i * AreaSize))..];
            areas[i] = (BinaryPrimitives.ReadUInt64LittleEndian(area), BinaryPrimitives.ReadUInt64LittleEndian(area[8..]));
        }
        return new SparseMmapCapability(areas);
    }

    private static RegionTypeCapability ParseType(ReadOnlySpan<byte> body, uint offset, string space, string? device)
    {
        if (body.Length < TypeSize)
        {
            throw Malformed(device, offset, $"type capability at offset {offset} has {body.Length} bytes {space}, needs {TypeSize}");
        }
        return new RegionTypeCapability(BinaryPrimitives.ReadUInt32LittleEndian(body[8..]), BinaryPrimitives.ReadUInt32LittleEndian(body[12..]));
    }

    private static VfioException Malformed(string? device, uint offset, string detail) =>
        InteropErrors.ChainMalformed(device, offset, detail);

}
