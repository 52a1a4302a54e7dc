using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// The argsz dance of <c>VFIO_DEVICE_GET_REGION_INFO</c>, apart from the ioctl so tests can drive it with a fake
/// kernel: ask with the bare 32-byte struct; a region with capabilities answers with the argsz it needs, CAPS set
/// and cap_offset 0; grow the buffer and ask again; parse the chain from the final buffer.
/// </summary>
internal static class RegionInfoQuery
{
    /// <summary>Issues the ioctl on the buffer (argsz and index already in it); throws on failure.</summary>
    internal delegate void Ioctl(Span<byte> buffer);

    // A driver may legitimately grow once (and again if its caps changed in between); one that keeps growing is
    // broken, and a megabyte of capabilities is not a region description.
    internal const int MaxAttempts = 4;
    internal const uint MaxRegionInfoSize = 1 << 20;

    internal static unsafe VfioRegionInfo Run(uint index, string device, Ioctl ioctl)
    {
        uint argsz = (uint)sizeof(Interop.Vfio.vfio_region_info);
        for (int attempt = 1; ; attempt++)
        {
            byte[] buffer = new byte[argsz];
            var request = new Interop.Vfio.vfio_region_info { argsz = argsz, index = index };
            MemoryMarshal.Write(buffer, in request);
            ioctl(buffer);
            var info = MemoryMarshal.Read<Interop.Vfio.vfio_region_info>(buffer);

            if (info.argsz > argsz && (info.flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_CAPS) != 0)
            {
                if (attempt >= MaxAttempts || info.argsz > MaxRegionInfoSize)
                {
                    throw InteropErrors.ArgszUnstable(device, index, info.argsz, attempt, MaxRegionInfoSize);
                }
                argsz = info.argsz;
                continue;
            }

            bool hasChain = (info.flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_CAPS) != 0 && info.cap_offset != 0;
            if (hasChain && info.cap_offset < sizeof(Interop.Vfio.vfio_region_info))
            {
                // The parser accepts any offset in the buffer; only here is it known where the struct ends.
                throw InteropErrors.CapOffsetInsideStruct(device, index, info.cap_offset, sizeof(Interop.Vfio.vfio_region_info));

            }
            IReadOnlyList<RegionCapability> capabilities = hasChain ? RegionCapabilityChain.Parse(buffer, info.cap_offset, device) : [];
            return new VfioRegionInfo(index, (VfioRegionFlags)info.flags, info.size, info.offset, capabilities);
        }
    }
}
