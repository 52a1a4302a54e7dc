using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Kernel;
using static Vfio.Interop.Vfio;
using E = Vfio.Interop.Errno;
using L = Vfio.Interop.Libc;

namespace Vfio.Tests.Abi;

/// <summary>
/// Every constant, enum value and struct layout of <c>Interop.Vfio</c> (plus the errno and open flags the kernel
/// path uses), with the public enums that mirror them. Built once; <see cref="AbiConformanceTests"/> compares each item
/// with what gcc computes from linux/vfio.h, and <see cref="AbiCoverageTests"/> proves nothing in Interop is left out.
/// </summary>
internal static class AbiTable
{
    // Guards: macros that appear together with the Linux 6.2+ additions, so a 6.1 header skips exactly those.
    private const string PreCopy = "VFIO_MIGRATION_PRE_COPY";
    private const string PrecopyInfo = "VFIO_MIG_GET_PRECOPY_INFO";
    private const string DataSize = "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE";
    private const string Cdx = "VFIO_DEVICE_FLAGS_CDX";
    private const string Bind = "VFIO_DEVICE_BIND_IOMMUFD";
    private const string Attach = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
    private const string Detach = "VFIO_DEVICE_DETACH_IOMMUFD_PT";

    public static IReadOnlyList<AbiItem> Items { get; } = Build();

    // Where a member of Tmds.LibC's pollfd lies: set it alone to a marker and find the marker in the struct's bytes
    // (Tmds.LibC's members are not all marshalled fields, so Marshal.OffsetOf cannot name them).
    private static ulong PollfdOffset(Tmds.Linux.pollfd value, byte[] marker)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<Tmds.Linux.pollfd>(in value));
        int at = bytes.IndexOf(marker);
        return at >= 0 ? (ulong)at : throw new InvalidOperationException("the marker is not in Tmds.Linux.pollfd's bytes");
    }

    private static IReadOnlyList<AbiItem> Build() => new AbiTableBuilder()
        // asm-generic/ioctl.h
        .Const(nameof(_IOC_NRBITS), _IOC_NRBITS)
        .Const(nameof(_IOC_TYPEBITS), _IOC_TYPEBITS)
        .Const(nameof(_IOC_SIZEBITS), _IOC_SIZEBITS)
        .Const(nameof(_IOC_NRSHIFT), _IOC_NRSHIFT)
        .Const(nameof(_IOC_TYPESHIFT), _IOC_TYPESHIFT)
        .Const(nameof(_IOC_SIZESHIFT), _IOC_SIZESHIFT)
        .Const(nameof(_IOC_DIRSHIFT), _IOC_DIRSHIFT)
        .Const(nameof(_IOC_NONE), _IOC_NONE)

        // Base, API version, extensions, container ioctls
        .Const(nameof(VFIO_TYPE), VFIO_TYPE)
        .Const(nameof(VFIO_BASE), VFIO_BASE)
        .Const(nameof(VFIO_API_VERSION), VFIO_API_VERSION)
        .Const(nameof(VFIO_TYPE1_IOMMU), VFIO_TYPE1_IOMMU, null, VfioExtension.Type1Iommu)
        .Const(nameof(VFIO_SPAPR_TCE_IOMMU), VFIO_SPAPR_TCE_IOMMU, null, VfioExtension.SpaprTceIommu)
        .Const(nameof(VFIO_TYPE1v2_IOMMU), VFIO_TYPE1v2_IOMMU, null, VfioExtension.Type1v2Iommu)
        .Const(nameof(VFIO_DMA_CC_IOMMU), VFIO_DMA_CC_IOMMU, null, VfioExtension.DmaCcIommu)
        .Const(nameof(VFIO_EEH), VFIO_EEH, null, VfioExtension.Eeh)
        .Const(nameof(VFIO_TYPE1_NESTING_IOMMU), VFIO_TYPE1_NESTING_IOMMU, null, VfioExtension.Type1NestingIommu)
        .Const(nameof(VFIO_SPAPR_TCE_v2_IOMMU), VFIO_SPAPR_TCE_v2_IOMMU, null, VfioExtension.SpaprTceV2Iommu)
        .Const(nameof(VFIO_NOIOMMU_IOMMU), VFIO_NOIOMMU_IOMMU, null, VfioExtension.NoIommu)
        .Const(nameof(VFIO_UNMAP_ALL), VFIO_UNMAP_ALL, null, VfioExtension.UnmapAll)
        .Const(nameof(VFIO_UPDATE_VADDR), VFIO_UPDATE_VADDR, null, VfioExtension.UpdateVaddr)
        .Const(nameof(VFIO_GET_API_VERSION), VFIO_GET_API_VERSION)
        .Const(nameof(VFIO_CHECK_EXTENSION), VFIO_CHECK_EXTENSION)
        .Const(nameof(VFIO_SET_IOMMU), VFIO_SET_IOMMU)

        // Capability header
        .Struct<vfio_info_cap_header>(null, "id", "version", "next")

        // Group
        .Struct<vfio_group_status>(null, "argsz", "flags")
        .Const(nameof(VFIO_GROUP_FLAGS_VIABLE), VFIO_GROUP_FLAGS_VIABLE, null, VfioGroupFlags.Viable)
        .Const(nameof(VFIO_GROUP_FLAGS_CONTAINER_SET), VFIO_GROUP_FLAGS_CONTAINER_SET, null, VfioGroupFlags.ContainerSet)
        .Const(nameof(VFIO_GROUP_GET_STATUS), VFIO_GROUP_GET_STATUS)
        .Const(nameof(VFIO_GROUP_SET_CONTAINER), VFIO_GROUP_SET_CONTAINER)
        .Const(nameof(VFIO_GROUP_UNSET_CONTAINER), VFIO_GROUP_UNSET_CONTAINER)
        .Const(nameof(VFIO_GROUP_GET_DEVICE_FD), VFIO_GROUP_GET_DEVICE_FD)

        // Device info (pad and the 24-byte size arrived with CDX in Linux 6.4)
        .Size<vfio_device_info>(Cdx)
        .Fields<vfio_device_info>(null, "argsz", "flags", "num_regions", "num_irqs", "cap_offset")
        .Fields<vfio_device_info>(Cdx, "pad")
        .Const(nameof(VFIO_DEVICE_FLAGS_RESET), VFIO_DEVICE_FLAGS_RESET, null, VfioDeviceFlags.Reset)
        .Const(nameof(VFIO_DEVICE_FLAGS_PCI), VFIO_DEVICE_FLAGS_PCI, null, VfioDeviceFlags.Pci)
        .Const(nameof(VFIO_DEVICE_FLAGS_PLATFORM), VFIO_DEVICE_FLAGS_PLATFORM, null, VfioDeviceFlags.Platform)
        .Const(nameof(VFIO_DEVICE_FLAGS_AMBA), VFIO_DEVICE_FLAGS_AMBA, null, VfioDeviceFlags.Amba)
        .Const(nameof(VFIO_DEVICE_FLAGS_CCW), VFIO_DEVICE_FLAGS_CCW, null, VfioDeviceFlags.Ccw)
        .Const(nameof(VFIO_DEVICE_FLAGS_AP), VFIO_DEVICE_FLAGS_AP, null, VfioDeviceFlags.Ap)
        .Const(nameof(VFIO_DEVICE_FLAGS_FSL_MC), VFIO_DEVICE_FLAGS_FSL_MC, null, VfioDeviceFlags.FslMc)
        .Const(nameof(VFIO_DEVICE_FLAGS_CAPS), VFIO_DEVICE_FLAGS_CAPS, null, VfioDeviceFlags.Caps)
        .Const(nameof(VFIO_DEVICE_FLAGS_CDX), VFIO_DEVICE_FLAGS_CDX, Cdx, VfioDeviceFlags.Cdx)
        .Const(nameof(VFIO_DEVICE_GET_INFO), VFIO_DEVICE_GET_INFO)
        .Const(nameof(VFIO_DEVICE_RESET), VFIO_DEVICE_RESET)

        // Regions and their capabilities
        .Struct<vfio_region_info>(null, "argsz", "flags", "index", "cap_offset", "size", "offset")
        .Const(nameof(VFIO_REGION_INFO_FLAG_READ), VFIO_REGION_INFO_FLAG_READ, null, VfioRegionFlags.Read)
        .Const(nameof(VFIO_REGION_INFO_FLAG_WRITE), VFIO_REGION_INFO_FLAG_WRITE, null, VfioRegionFlags.Write)
        .Const(nameof(VFIO_REGION_INFO_FLAG_MMAP), VFIO_REGION_INFO_FLAG_MMAP, null, VfioRegionFlags.Mmap)
        .Const(nameof(VFIO_REGION_INFO_FLAG_CAPS), VFIO_REGION_INFO_FLAG_CAPS, null, VfioRegionFlags.Caps)
        .Const(nameof(VFIO_DEVICE_GET_REGION_INFO), VFIO_DEVICE_GET_REGION_INFO)
        .Const(nameof(VFIO_REGION_INFO_CAP_SPARSE_MMAP), VFIO_REGION_INFO_CAP_SPARSE_MMAP)
        .Const(nameof(VFIO_REGION_INFO_CAP_TYPE), VFIO_REGION_INFO_CAP_TYPE)
        .Const(nameof(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE), VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)
        .Struct<vfio_region_sparse_mmap_area>(null, "offset", "size")
        .Struct<vfio_region_info_cap_sparse_mmap>(null, "header", "nr_areas", "reserved")
        .Struct<vfio_region_info_cap_type>(null, "header", "type", "subtype")

        // v1 migration region
        .Const(nameof(VFIO_REGION_TYPE_MIGRATION_DEPRECATED), VFIO_REGION_TYPE_MIGRATION_DEPRECATED)
        .Const(nameof(VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED), VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED)
        .Struct<vfio_device_migration_info>(null, "device_state", "reserved", "pending_bytes", "data_offset", "data_size")
        .Const(nameof(VFIO_DEVICE_STATE_V1_STOP), VFIO_DEVICE_STATE_V1_STOP, null, V1DeviceState.Stop)
        .Const(nameof(VFIO_DEVICE_STATE_V1_RUNNING), VFIO_DEVICE_STATE_V1_RUNNING, null, V1DeviceState.Running)
        .Const(nameof(VFIO_DEVICE_STATE_V1_SAVING), VFIO_DEVICE_STATE_V1_SAVING, null, V1DeviceState.Saving)
        .Const(nameof(VFIO_DEVICE_STATE_V1_RESUMING), VFIO_DEVICE_STATE_V1_RESUMING, null, V1DeviceState.Resuming)
        .Const(nameof(VFIO_DEVICE_STATE_MASK), VFIO_DEVICE_STATE_MASK)

        // IRQs
        .Struct<vfio_irq_info>(null, "argsz", "flags", "index", "count")
        .Const(nameof(VFIO_IRQ_INFO_EVENTFD), VFIO_IRQ_INFO_EVENTFD, null, VfioIrqFlags.Eventfd)
        .Const(nameof(VFIO_IRQ_INFO_MASKABLE), VFIO_IRQ_INFO_MASKABLE, null, VfioIrqFlags.Maskable)
        .Const(nameof(VFIO_IRQ_INFO_AUTOMASKED), VFIO_IRQ_INFO_AUTOMASKED, null, VfioIrqFlags.Automasked)
        .Const(nameof(VFIO_IRQ_INFO_NORESIZE), VFIO_IRQ_INFO_NORESIZE, null, VfioIrqFlags.NoResize)
        .Const(nameof(VFIO_DEVICE_GET_IRQ_INFO), VFIO_DEVICE_GET_IRQ_INFO)
        .Struct<vfio_irq_set>(null, "argsz", "flags", "index", "start", "count")
        .Const(nameof(VFIO_IRQ_SET_DATA_NONE), VFIO_IRQ_SET_DATA_NONE)
        .Const(nameof(VFIO_IRQ_SET_DATA_BOOL), VFIO_IRQ_SET_DATA_BOOL)
        .Const(nameof(VFIO_IRQ_SET_DATA_EVENTFD), VFIO_IRQ_SET_DATA_EVENTFD)
        .Const(nameof(VFIO_IRQ_SET_ACTION_MASK), VFIO_IRQ_SET_ACTION_MASK)
        .Const(nameof(VFIO_IRQ_SET_ACTION_UNMASK), VFIO_IRQ_SET_ACTION_UNMASK)
        .Const(nameof(VFIO_IRQ_SET_ACTION_TRIGGER), VFIO_IRQ_SET_ACTION_TRIGGER)
        .Const(nameof(VFIO_DEVICE_SET_IRQS), VFIO_DEVICE_SET_IRQS)

        // VFIO_DEVICE_FEATURE
        .Struct<vfio_device_feature>(null, "argsz", "flags")
        .Const(nameof(VFIO_DEVICE_FEATURE_MASK), VFIO_DEVICE_FEATURE_MASK)
        .Const(nameof(VFIO_DEVICE_FEATURE_GET), VFIO_DEVICE_FEATURE_GET)
        .Const(nameof(VFIO_DEVICE_FEATURE_SET), VFIO_DEVICE_FEATURE_SET)
        .Const(nameof(VFIO_DEVICE_FEATURE_PROBE), VFIO_DEVICE_FEATURE_PROBE)
        .Const(nameof(VFIO_DEVICE_FEATURE), VFIO_DEVICE_FEATURE)

        // v2 migration
        .Const(nameof(VFIO_DEVICE_FEATURE_MIGRATION), VFIO_DEVICE_FEATURE_MIGRATION)
        .Struct<vfio_device_feature_migration>(null, "flags")
        .Const(nameof(VFIO_MIGRATION_STOP_COPY), VFIO_MIGRATION_STOP_COPY, null, MigrationFeatures.StopCopy)
        .Const(nameof(VFIO_MIGRATION_P2P), VFIO_MIGRATION_P2P, null, MigrationFeatures.P2P)
        .Const(nameof(VFIO_MIGRATION_PRE_COPY), VFIO_MIGRATION_PRE_COPY, PreCopy, MigrationFeatures.PreCopy)
        .Const(nameof(VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE), VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE)
        .Struct<vfio_device_feature_mig_state>(null, "device_state", "data_fd")
        .Const(nameof(VFIO_DEVICE_STATE_ERROR), VFIO_DEVICE_STATE_ERROR, null, MigrationState.Error)
        .Const(nameof(VFIO_DEVICE_STATE_STOP), VFIO_DEVICE_STATE_STOP, null, MigrationState.Stop)
        .Const(nameof(VFIO_DEVICE_STATE_RUNNING), VFIO_DEVICE_STATE_RUNNING, null, MigrationState.Running)
        .Const(nameof(VFIO_DEVICE_STATE_STOP_COPY), VFIO_DEVICE_STATE_STOP_COPY, null, MigrationState.StopCopy)
        .Const(nameof(VFIO_DEVICE_STATE_RESUMING), VFIO_DEVICE_STATE_RESUMING, null, MigrationState.Resuming)
        .Const(nameof(VFIO_DEVICE_STATE_RUNNING_P2P), VFIO_DEVICE_STATE_RUNNING_P2P, null, MigrationState.RunningP2P)
        .Const(nameof(VFIO_DEVICE_STATE_PRE_COPY), VFIO_DEVICE_STATE_PRE_COPY, PreCopy, MigrationState.PreCopy)
        .Const(nameof(VFIO_DEVICE_STATE_PRE_COPY_P2P), VFIO_DEVICE_STATE_PRE_COPY_P2P, PreCopy, MigrationState.PreCopyP2P)
        .Struct<vfio_precopy_info>(PrecopyInfo, "argsz", "flags", "initial_bytes", "dirty_bytes")
        .Const(nameof(VFIO_MIG_GET_PRECOPY_INFO), VFIO_MIG_GET_PRECOPY_INFO, PrecopyInfo)
        .Const(nameof(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE), VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, DataSize)
        .Struct<vfio_device_feature_mig_data_size>(DataSize, "stop_copy_length")

        // DMA logging
        .Const(nameof(VFIO_DEVICE_FEATURE_DMA_LOGGING_START), VFIO_DEVICE_FEATURE_DMA_LOGGING_START)
        .Const(nameof(VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP), VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP)
        .Const(nameof(VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT), VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT)
        .Struct<vfio_device_feature_dma_logging_control>(null, "page_size", "num_ranges", "__reserved", "ranges")
        .Struct<vfio_device_feature_dma_logging_range>(null, "iova", "length")
        .Struct<vfio_device_feature_dma_logging_report>(null, "iova", "length", "page_size", "bitmap")

        // iommufd device cdev
        .Struct<vfio_device_bind_iommufd>(Bind, "argsz", "flags", "iommufd", "out_devid")
        .Const(nameof(VFIO_DEVICE_BIND_IOMMUFD), VFIO_DEVICE_BIND_IOMMUFD, Bind)
        .Struct<vfio_device_attach_iommufd_pt>(Attach, "argsz", "flags", "pt_id")
        .Const(nameof(VFIO_DEVICE_ATTACH_IOMMUFD_PT), VFIO_DEVICE_ATTACH_IOMMUFD_PT, Attach)
        .Struct<vfio_device_detach_iommufd_pt>(Detach, "argsz", "flags")
        .Const(nameof(VFIO_DEVICE_DETACH_IOMMUFD_PT), VFIO_DEVICE_DETACH_IOMMUFD_PT, Detach)

        // <fcntl.h>
        .Const(nameof(L.O_RDONLY), L.O_RDONLY)
        .Const(nameof(L.O_WRONLY), L.O_WRONLY)
        .Const(nameof(L.O_RDWR), L.O_RDWR)
        .Const(nameof(L.O_CLOEXEC), L.O_CLOEXEC)
        .Const(nameof(L.F_GETPIPE_SZ), L.F_GETPIPE_SZ)
        .Const(nameof(L.F_SETPIPE_SZ), L.F_SETPIPE_SZ)

        // <poll.h>, and the libc types of the calls that go through Tmds.LibC (Interop.Libc): its off_t, size_t,
        // ssize_t and pollfd must be what gcc says, or pread/pwrite offsets and poll's descriptors would be misread.
        .Const(nameof(L.POLLIN), (ulong)L.POLLIN)
        .Const(nameof(L.POLLOUT), (ulong)L.POLLOUT)
        .Expr("sizeof(off_t)", (ulong)Unsafe.SizeOf<Tmds.Linux.off_t>(), "Tmds.Linux.off_t")
        .Expr("sizeof(size_t)", (ulong)Unsafe.SizeOf<Tmds.Linux.size_t>(), "Tmds.Linux.size_t")
        .Expr("sizeof(ssize_t)", (ulong)Unsafe.SizeOf<Tmds.Linux.ssize_t>(), "Tmds.Linux.ssize_t")
        .Expr("sizeof(struct pollfd)", (ulong)Unsafe.SizeOf<Tmds.Linux.pollfd>(), "Tmds.Linux.pollfd")
        .Expr("offsetof(struct pollfd, fd)", PollfdOffset(new Tmds.Linux.pollfd { fd = 0x5A5A5A5A }, [0x5A, 0x5A, 0x5A, 0x5A]), "Tmds.Linux.pollfd.fd")
        .Expr("offsetof(struct pollfd, events)", PollfdOffset(new Tmds.Linux.pollfd { events = 0x5A5A }, [0x5A, 0x5A]), "Tmds.Linux.pollfd.events")
        .Expr("offsetof(struct pollfd, revents)", PollfdOffset(new Tmds.Linux.pollfd { revents = 0x5A5A }, [0x5A, 0x5A]), "Tmds.Linux.pollfd.revents")

        // <errno.h>
        .Const(nameof(E.EPERM), E.EPERM)
        .Const(nameof(E.ENOENT), E.ENOENT)
        .Const(nameof(E.EINTR), E.EINTR)
        .Const(nameof(E.EIO), E.EIO)
        .Const(nameof(E.ENXIO), E.ENXIO)
        .Const(nameof(E.E2BIG), E.E2BIG)
        .Const(nameof(E.EBADF), E.EBADF)
        .Const(nameof(E.EAGAIN), E.EAGAIN)
        .Const(nameof(E.ENOMEM), E.ENOMEM)
        .Const(nameof(E.EACCES), E.EACCES)
        .Const(nameof(E.EFAULT), E.EFAULT)
        .Const(nameof(E.EBUSY), E.EBUSY)
        .Const(nameof(E.EEXIST), E.EEXIST)
        .Const(nameof(E.ENODEV), E.ENODEV)
        .Const(nameof(E.ENOTDIR), E.ENOTDIR)
        .Const(nameof(E.EISDIR), E.EISDIR)
        .Const(nameof(E.EINVAL), E.EINVAL)
        .Const(nameof(E.EMFILE), E.EMFILE)
        .Const(nameof(E.ETXTBSY), E.ETXTBSY)
        .Const(nameof(E.EFBIG), E.EFBIG)
        .Const(nameof(E.ENOTTY), E.ENOTTY)
        .Const(nameof(E.ENOSPC), E.ENOSPC)
        .Const(nameof(E.ESPIPE), E.ESPIPE)
        .Const(nameof(E.EROFS), E.EROFS)
        .Const(nameof(E.EPIPE), E.EPIPE)
        .Const(nameof(E.ERANGE), E.ERANGE)
        .Const(nameof(E.ENAMETOOLONG), E.ENAMETOOLONG)
        .Const(nameof(E.ELOOP), E.ELOOP)
        .Const(nameof(E.ENOMSG), E.ENOMSG)
        .Const(nameof(E.EOVERFLOW), E.EOVERFLOW)
        .Const(nameof(E.EOPNOTSUPP), E.EOPNOTSUPP)
        .Const(nameof(E.ETIMEDOUT), E.ETIMEDOUT)
        .Const(nameof(E.EDQUOT), E.EDQUOT)
        .Items;
}
