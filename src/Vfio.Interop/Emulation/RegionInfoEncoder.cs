using System.Buffers.Binary;
using Vfio.Devices;

namespace Vfio.Emulation;

/// <summary>
/// Lays a region's info out as the kernel returns it from <c>VFIO_DEVICE_GET_REGION_INFO</c>: the 32-byte
/// <c>struct vfio_region_info</c>, then the capability chain, each capability 8-byte aligned and linked by
/// <c>next</c> offsets from the start of the info (0 ends the chain), as <c>vfio_info_cap_add()</c> and
/// <c>vfio_info_cap_shift()</c> build it. The emulated device keeps these bytes so a chain parser can be tested
/// against what a kernel would hand it.
/// </summary>
internal static class RegionInfoEncoder
{
    public const int InfoSize = 32;        // argsz, flags, index, cap_offset (u32 each), size, offset (u64 each)
    public const int CapHeaderSize = 8;    // id u16, version u16, next u32

    public static byte[] Encode(VfioRegionInfo info)
    {
        var caps = new List<byte[]>();
        foreach (RegionCapability cap in info.Capabilities)
        {
            caps.Add(EncodeCapabilityBody(cap));
        }
        int total = InfoSize + caps.Sum(c => Align8(CapHeaderSize + c.Length));
        byte[] buffer = new byte[total];
        Span<byte> b = buffer;
        VfioRegionFlags flags = caps.Count > 0 ? info.Flags | VfioRegionFlags.Caps : info.Flags;
        BinaryPrimitives.WriteUInt32LittleEndian(b[0..], (uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], info.Index);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], caps.Count > 0 ? (uint)InfoSize : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], info.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], info.Offset);
        int at = InfoSize;
        for (int i = 0; i < caps.Count; i++)
        {
            RegionCapability cap = info.Capabilities[i];
            int size = Align8(CapHeaderSize + caps[i].Length);
            int next = i + 1 < caps.Count ? at + size : 0;
            BinaryPrimitives.WriteUInt16LittleEndian(b[at..], cap.Id);
            BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 2)..], cap.Version);
            BinaryPrimitives.WriteUInt32LittleEndian(b[(at + 4)..], (uint)next);
            caps[i].CopyTo(b[(at + CapHeaderSize)..]);
            at += size;
        }
        return buffer;
    }

    private static byte[] EncodeCapabilityBody(RegionCapability cap)
    {
        switch (cap)
        {
            case RegionTypeCapability t:
            {
                // struct vfio_region_info_cap_type { header; __u32 type; __u32 subtype; }
                byte[] body = new byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(body, t.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), t.Subtype);
                return body;
            }
            case SparseMmapCapability s:
            {
                // struct vfio_region_info_cap_sparse_mmap { header; __u32 nr_areas; __u32 reserved; areas[] {__u64 offset; __u64 size;} }
                byte[] body = new byte[8 + (16 * s.Areas.Count)];
                BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)s.Areas.Count);
                for (int i = 0; i < s.Areas.Count; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(8 + (16 * i)), s.Areas[i].Offset);
                    BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(16 + (16 * i)), s.Areas[i].Size);
                }
                return body;
            }
            case UnknownCapability u:
                return u.Payload.ToArray();
            default:
                throw new ArgumentException($"no layout for capability {cap.GetType().Name}", nameof(cap));
        }
    }

    private static int Align8(int n) => (n + 7) & ~7;
}
