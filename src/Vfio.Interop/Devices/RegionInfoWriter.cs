using System.Buffers.Binary;
using Vfio.Errors;

namespace Vfio.Devices;

/// <summary>
/// Lays out a <c>vfio_region_info</c> buffer with its capability chain the way the kernel's
/// <c>vfio_info_add_capability</c> does: the 32-byte struct, then each capability 8-byte aligned, chained by
/// <c>next</c> offsets from the start of the buffer. The emulated device answers region queries with it, and
/// tests build the buffers <see cref="RegionCapabilityChain"/> parses.
/// </summary>
public static class RegionInfoWriter
{
    /// <summary>Size of <c>struct vfio_region_info</c>.</summary>
    public const int RegionInfoSize = 32;

    /// <summary>Writes the whole buffer: struct, then the capabilities of <paramref name="info"/> in order.</summary>
    /// <param name="info">The region; <see cref="VfioRegionFlags.Caps"/> is set when it has capabilities.</param>
    /// <returns>The buffer; its length is the <c>argsz</c> it holds.</returns>
    public static byte[] Write(VfioRegionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        int size = RegionInfoSize;
        foreach (RegionCapability capability in info.Capabilities)
        {
            size += Align8(SizeOf(capability));
        }
        byte[] buffer = new byte[size];
        Span<byte> b = buffer;
        VfioRegionFlags flags = info.Capabilities.Count > 0 ? info.Flags | VfioRegionFlags.Caps : info.Flags & ~VfioRegionFlags.Caps;
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)size);                  // argsz
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], (uint)flags);            // flags
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], info.Index);             // index
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], info.Capabilities.Count > 0 ? RegionInfoSize : 0u); // cap_offset
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], info.Size);             // size
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], info.Offset);           // offset

        int at = RegionInfoSize;
        for (int i = 0; i < info.Capabilities.Count; i++)
        {
            RegionCapability capability = info.Capabilities[i];
            int next = at + Align8(SizeOf(capability));
            Span<byte> cap = b[at..];
            BinaryPrimitives.WriteUInt16LittleEndian(cap, capability.Id);
            BinaryPrimitives.WriteUInt16LittleEndian(cap[2..], capability.Version);
            BinaryPrimitives.WriteUInt32LittleEndian(cap[4..], i + 1 < info.Capabilities.Count ? (uint)next : 0u);
            WriteBody(capability, cap[RegionCapabilityChain.HeaderSize..]);
            at = next;
        }
        return buffer;
    }

    /// <summary>
    /// Answers a <c>VFIO_DEVICE_GET_REGION_INFO</c> request the way vfio-pci does: when the caller's <c>argsz</c>
    /// (the first four bytes of <paramref name="request"/>) holds the whole chain, the whole buffer is copied;
    /// otherwise only the struct is, with <c>argsz</c> raised to the size needed, <c>VFIO_REGION_INFO_FLAG_CAPS</c>
    /// set and <c>cap_offset</c> 0, so the caller grows its buffer and asks again.
    /// </summary>
    /// <param name="info">The region.</param>
    /// <param name="request">The caller's buffer, <c>argsz</c> bytes or more, with argsz in its first field.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.RegionAccessInvalid"/> when argsz is smaller than the struct
    /// or larger than the buffer (the kernel answers EINVAL / EFAULT).</exception>
    public static void Answer(VfioRegionInfo info, Span<byte> request)
    {
        ArgumentNullException.ThrowIfNull(info);
        uint argsz = request.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(request) : 0;
        if (argsz < RegionInfoSize || argsz > request.Length)
        {
            throw InteropErrors.RegionInfoArgszInvalid(info.Index, argsz, RegionInfoSize, request.Length);

        }
        byte[] full = Write(info);
        if (argsz >= full.Length)
        {
            full.CopyTo(request);
            return;
        }
        full.AsSpan(0, RegionInfoSize).CopyTo(request);
        BinaryPrimitives.WriteUInt32LittleEndian(request[12..], 0); // cap_offset: the chain was not copied
    }

    private static int SizeOf(RegionCapability capability) => capability switch
    {
        SparseMmapCapability sparse => 16 + (16 * sparse.Areas.Count),
        RegionTypeCapability => 16,
        UnknownCapability unknown => RegionCapabilityChain.HeaderSize + unknown.Payload.Length,
        _ => throw new ArgumentException($"capability type {capability.GetType().Name} has no layout", nameof(capability)),
    };

    private static void WriteBody(RegionCapability capability, Span<byte> body)
    {
        switch (capability)
        {
            case SparseMmapCapability sparse:
                BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)sparse.Areas.Count); // nr_areas; reserved stays 0
                for (int i = 0; i < sparse.Areas.Count; i++)
                {
                    Span<byte> area = body[(8 + (16 * i))..];
                    BinaryPrimitives.WriteUInt64LittleEndian(area, sparse.Areas[i].Offset);
                    BinaryPrimitives.WriteUInt64LittleEndian(area[8..], sparse.Areas[i].Size);
                }
                break;
            case RegionTypeCapability type:
                BinaryPrimitives.WriteUInt32LittleEndian(body, type.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(body[4..], type.Subtype);
                break;
            case UnknownCapability unknown:
                unknown.Payload.Span.CopyTo(body);
                break;
        }
    }

    private static int Align8(int n) => (n + 7) & ~7;
}
