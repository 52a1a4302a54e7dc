namespace Vfio.Migration;

/// <summary>
/// The v1 migration region (Linux 5.8-5.17): its region type and the field offsets of
/// <c>struct vfio_device_migration_info</c> at the head of the region.
/// </summary>
/// <remarks>
/// These mirror include/uapi/linux/vfio.h (the struct survives there as the deprecated v1 ABI). The ABI test on
/// the interop branch compiles the struct against the header; the integrator wires these constants to that
/// struct so the numbers are checked in one place.
/// </remarks>
internal static class V1RegionLayout
{
    /// <summary><c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c>.</summary>
    public const uint RegionType = 3;

    /// <summary><c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c>.</summary>
    public const uint RegionSubtype = 1;

    /// <summary><c>__u32 device_state</c>: the V1 RUNNING/SAVING/RESUMING bits.</summary>
    public const ulong DeviceStateOffset = 0;

    /// <summary><c>__u32 reserved</c>.</summary>
    public const ulong ReservedOffset = 4;

    /// <summary><c>__u64 pending_bytes</c>: read-only; reading it in a saving state runs the device's save code.</summary>
    public const ulong PendingBytesOffset = 8;

    /// <summary><c>__u64 data_offset</c>: read-only; where in the region the data section starts.</summary>
    public const ulong DataOffsetOffset = 16;

    /// <summary><c>__u64 data_size</c>: read when saving, written when resuming.</summary>
    public const ulong DataSizeOffset = 24;

    /// <summary><c>sizeof(struct vfio_device_migration_info)</c>.</summary>
    public const int HeaderSize = 32;

    /// <summary>The bits of <c>device_state</c> the protocol defines (<c>VFIO_DEVICE_STATE_MASK</c>); the rest are reserved and preserved.</summary>
    public const uint StateMask = 0x7;
}
