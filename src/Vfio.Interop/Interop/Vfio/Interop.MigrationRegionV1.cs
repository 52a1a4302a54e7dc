using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // The v1 migration region (Linux 5.8-5.17; the header keeps the layout under *_DEPRECATED names).
        // A region whose type capability is (VFIO_REGION_TYPE_MIGRATION_DEPRECATED,
        // VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED) starts with this struct; the data area lives at
        // data_offset within the same region.
        internal const uint VFIO_REGION_TYPE_MIGRATION_DEPRECATED = 3;
        internal const uint VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED = 1;

        // Explicit layout, unlike the other structs here: this one is never passed to an ioctl but read and written
        // field by field at byte offsets within the region, so the code needs its offsets as constants. Declaring
        // the offsets once and laying the fields out from them makes the struct and the constants one definition;
        // the ABI test compiles the struct against linux/vfio.h, which checks the constants with it.
        [StructLayout(LayoutKind.Explicit, Size = Size)]
        internal struct vfio_device_migration_info
        {
            internal const int DeviceStateOffset = 0;
            internal const int ReservedOffset = 4;
            internal const int PendingBytesOffset = 8;
            internal const int DataOffsetOffset = 16;
            internal const int DataSizeOffset = 24;
            internal const int Size = 32;

            [FieldOffset(DeviceStateOffset)] public uint device_state;
            [FieldOffset(ReservedOffset)] private uint reserved;
            [FieldOffset(PendingBytesOffset)] public ulong pending_bytes;
            [FieldOffset(DataOffsetOffset)] public ulong data_offset;
            [FieldOffset(DataSizeOffset)] public ulong data_size;
        }

        internal const uint VFIO_DEVICE_STATE_V1_STOP = 0;
        internal const uint VFIO_DEVICE_STATE_V1_RUNNING = 1u << 0;
        internal const uint VFIO_DEVICE_STATE_V1_SAVING = 1u << 1;
        internal const uint VFIO_DEVICE_STATE_V1_RESUMING = 1u << 2;
        internal const uint VFIO_DEVICE_STATE_MASK =
            VFIO_DEVICE_STATE_V1_RUNNING | VFIO_DEVICE_STATE_V1_SAVING | VFIO_DEVICE_STATE_V1_RESUMING;
    }
}
