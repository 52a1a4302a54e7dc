using Info = Vfio.Interop.Vfio.vfio_device_migration_info;

namespace Vfio.Migration;

/// <summary>
/// The v1 migration region (Linux 5.8-5.17): its region type and the field offsets of
/// <c>struct vfio_device_migration_info</c> at the head of the region.
/// </summary>
/// <remarks>
/// Every number here is taken from the interop definitions (<see cref="Info"/> lays its fields out from these
/// offsets), and the ABI test compiles that struct against linux/vfio.h, so there is one source and one check.
/// </remarks>
internal static class V1RegionLayout
{
    /// <summary><c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c>.</summary>
    public const uint RegionType = Interop.Vfio.VFIO_REGION_TYPE_MIGRATION_DEPRECATED;

    /// <summary><c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c>.</summary>
    public const uint RegionSubtype = Interop.Vfio.VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED;

    /// <summary><c>__u32 device_state</c>: the V1 RUNNING/SAVING/RESUMING bits.</summary>
    public const ulong DeviceStateOffset = Info.DeviceStateOffset;

    /// <summary><c>__u32 reserved</c>.</summary>
    public const ulong ReservedOffset = Info.ReservedOffset;

    /// <summary><c>__u64 pending_bytes</c>: read-only; reading it in a saving state runs the device's save code.</summary>
    public const ulong PendingBytesOffset = Info.PendingBytesOffset;

    /// <summary><c>__u64 data_offset</c>: read-only; where in the region the data section starts.</summary>
    public const ulong DataOffsetOffset = Info.DataOffsetOffset;

    /// <summary><c>__u64 data_size</c>: read when saving, written when resuming.</summary>
    public const ulong DataSizeOffset = Info.DataSizeOffset;

    /// <summary><c>sizeof(struct vfio_device_migration_info)</c>.</summary>
    public const int HeaderSize = Info.Size;

    /// <summary>The bits of <c>device_state</c> the protocol defines (<c>VFIO_DEVICE_STATE_MASK</c>); the rest are reserved and preserved.</summary>
    public const uint StateMask = Interop.Vfio.VFIO_DEVICE_STATE_MASK;
}
