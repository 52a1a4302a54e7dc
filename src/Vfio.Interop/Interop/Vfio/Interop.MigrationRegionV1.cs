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

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_migration_info
        {
            public uint device_state;
            private uint reserved;
            public ulong pending_bytes;
            public ulong data_offset;
            public ulong data_size;
        }

        internal const uint VFIO_DEVICE_STATE_V1_STOP = 0;
        internal const uint VFIO_DEVICE_STATE_V1_RUNNING = 1u << 0;
        internal const uint VFIO_DEVICE_STATE_V1_SAVING = 1u << 1;
        internal const uint VFIO_DEVICE_STATE_V1_RESUMING = 1u << 2;
        internal const uint VFIO_DEVICE_STATE_MASK =
            VFIO_DEVICE_STATE_V1_RUNNING | VFIO_DEVICE_STATE_V1_SAVING | VFIO_DEVICE_STATE_V1_RESUMING;
    }
}
