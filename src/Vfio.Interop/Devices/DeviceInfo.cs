namespace Vfio.Devices;

/// <summary>Device flags of <c>struct vfio_device_info</c>.</summary>
[Flags]
public enum VfioDeviceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>VFIO_DEVICE_FLAGS_RESET</c>: the device supports <c>VFIO_DEVICE_RESET</c>.</summary>
    Reset = 1 << 0,
    /// <summary><c>VFIO_DEVICE_FLAGS_PCI</c>.</summary>
    Pci = 1 << 1,
    /// <summary><c>VFIO_DEVICE_FLAGS_PLATFORM</c>.</summary>
    Platform = 1 << 2,
    /// <summary><c>VFIO_DEVICE_FLAGS_AMBA</c>.</summary>
    Amba = 1 << 3,
    /// <summary><c>VFIO_DEVICE_FLAGS_CCW</c>.</summary>
    Ccw = 1 << 4,
    /// <summary><c>VFIO_DEVICE_FLAGS_AP</c>.</summary>
    Ap = 1 << 5,
    /// <summary><c>VFIO_DEVICE_FLAGS_FSL_MC</c>.</summary>
    FslMc = 1 << 6,
    /// <summary><c>VFIO_DEVICE_FLAGS_CAPS</c>: the info has a capability chain.</summary>
    Caps = 1 << 7,
    /// <summary><c>VFIO_DEVICE_FLAGS_CDX</c>.</summary>
    Cdx = 1 << 8,
}

/// <summary>Region flags of <c>struct vfio_region_info</c>.</summary>
[Flags]
public enum VfioRegionFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>VFIO_REGION_INFO_FLAG_READ</c>.</summary>
    Read = 1 << 0,
    /// <summary><c>VFIO_REGION_INFO_FLAG_WRITE</c>.</summary>
    Write = 1 << 1,
    /// <summary><c>VFIO_REGION_INFO_FLAG_MMAP</c>.</summary>
    Mmap = 1 << 2,
    /// <summary><c>VFIO_REGION_INFO_FLAG_CAPS</c>.</summary>
    Caps = 1 << 3,
}

/// <summary>IRQ flags of <c>struct vfio_irq_info</c>.</summary>
[Flags]
public enum VfioIrqFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>VFIO_IRQ_INFO_EVENTFD</c>.</summary>
    Eventfd = 1 << 0,
    /// <summary><c>VFIO_IRQ_INFO_MASKABLE</c>.</summary>
    Maskable = 1 << 1,
    /// <summary><c>VFIO_IRQ_INFO_AUTOMASKED</c>.</summary>
    Automasked = 1 << 2,
    /// <summary><c>VFIO_IRQ_INFO_NORESIZE</c>.</summary>
    NoResize = 1 << 3,
}

/// <summary>What <c>VFIO_DEVICE_GET_INFO</c> reports.</summary>
/// <param name="Flags">Device flags.</param>
/// <param name="NumRegions">Number of regions, indexed from 0.</param>
/// <param name="NumIrqs">Number of IRQ indexes.</param>
public sealed record VfioDeviceInfo(VfioDeviceFlags Flags, uint NumRegions, uint NumIrqs);

/// <summary>What <c>VFIO_DEVICE_GET_IRQ_INFO</c> reports for one IRQ index.</summary>
/// <param name="Index">The IRQ index.</param>
/// <param name="Flags">IRQ flags.</param>
/// <param name="Count">Number of vectors.</param>
public sealed record VfioIrqInfo(uint Index, VfioIrqFlags Flags, uint Count);

/// <summary>What <c>VFIO_DEVICE_GET_REGION_INFO</c> reports for one region, with its parsed capability chain.</summary>
/// <param name="Index">The region index.</param>
/// <param name="Flags">Region flags.</param>
/// <param name="Size">Region size in bytes.</param>
/// <param name="Offset">Offset of the region within the device fd.</param>
/// <param name="Capabilities">The region's capabilities, in chain order.</param>
public sealed record VfioRegionInfo(uint Index, VfioRegionFlags Flags, ulong Size, ulong Offset, IReadOnlyList<RegionCapability> Capabilities)
{
    /// <summary>The region's type capability, if the chain has one.</summary>
    public RegionTypeCapability? TypeCapability => Capabilities.OfType<RegionTypeCapability>().FirstOrDefault();
}

/// <summary>One entry of a region's capability chain.</summary>
/// <param name="Id">The capability id (<c>vfio_info_cap_header.id</c>).</param>
/// <param name="Version">The capability version.</param>
public abstract record RegionCapability(ushort Id, ushort Version);

/// <summary><c>VFIO_REGION_INFO_CAP_TYPE</c>: the region's type and subtype.</summary>
/// <param name="Type">Region type, e.g. <c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c> (3).</param>
/// <param name="Subtype">Region subtype, e.g. <c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c> (1).</param>
public sealed record RegionTypeCapability(uint Type, uint Subtype) : RegionCapability(2, 1);

/// <summary><c>VFIO_REGION_INFO_CAP_SPARSE_MMAP</c>: the mmap-able areas of the region.</summary>
/// <param name="Areas">The areas as (offset, size) pairs.</param>
public sealed record SparseMmapCapability(IReadOnlyList<(ulong Offset, ulong Size)> Areas) : RegionCapability(1, 1);

/// <summary>A capability this library does not interpret, kept with its raw payload (after the header).</summary>
/// <param name="Id">The capability id.</param>
/// <param name="Version">The capability version.</param>
/// <param name="Payload">Bytes after the 8-byte header up to the next capability or the end.</param>
public sealed record UnknownCapability(ushort Id, ushort Version, ReadOnlyMemory<byte> Payload) : RegionCapability(Id, Version);
