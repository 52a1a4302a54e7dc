using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // VFIO_DEVICE_GET_REGION_INFO: the caller sets argsz and index. When the region has capabilities and
        // argsz was too small, the kernel sets VFIO_REGION_INFO_FLAG_CAPS, reports the needed argsz and leaves
        // cap_offset 0; the caller grows its buffer and asks again.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info
        {
            public uint argsz;
            public uint flags;
            public uint index;
            public uint cap_offset;
            public ulong size;
            public ulong offset;
        }

        internal const uint VFIO_REGION_INFO_FLAG_READ = 1u << 0;
        internal const uint VFIO_REGION_INFO_FLAG_WRITE = 1u << 1;
        internal const uint VFIO_REGION_INFO_FLAG_MMAP = 1u << 2;
        internal const uint VFIO_REGION_INFO_FLAG_CAPS = 1u << 3;

        internal static readonly nuint VFIO_DEVICE_GET_REGION_INFO = _IO(VFIO_TYPE, VFIO_BASE + 8);

        // Region capability ids.
        internal const ushort VFIO_REGION_INFO_CAP_SPARSE_MMAP = 1;
        internal const ushort VFIO_REGION_INFO_CAP_TYPE = 2;
        internal const ushort VFIO_REGION_INFO_CAP_MSIX_MAPPABLE = 3;

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_sparse_mmap_area
        {
            public ulong offset;
            public ulong size;
        }

        // Followed by nr_areas vfio_region_sparse_mmap_area entries (a flexible array in C).
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info_cap_sparse_mmap
        {
            public vfio_info_cap_header header;
            public uint nr_areas;
            private uint reserved;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info_cap_type
        {
            public vfio_info_cap_header header;
            public uint type;
            public uint subtype;
        }
    }
}
