using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // 24 bytes since Linux 6.4 (pad added); 6.1 headers end after cap_offset (20 bytes). The kernel copies
        // min(argsz, its own size), so asking with 24 works on both.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_info
        {
            public uint argsz;
            public uint flags;
            public uint num_regions;
            public uint num_irqs;
            public uint cap_offset;
            private uint pad;
        }

        internal const uint VFIO_DEVICE_FLAGS_RESET = 1u << 0;
        internal const uint VFIO_DEVICE_FLAGS_PCI = 1u << 1;
        internal const uint VFIO_DEVICE_FLAGS_PLATFORM = 1u << 2;
        internal const uint VFIO_DEVICE_FLAGS_AMBA = 1u << 3;
        internal const uint VFIO_DEVICE_FLAGS_CCW = 1u << 4;
        internal const uint VFIO_DEVICE_FLAGS_AP = 1u << 5;
        internal const uint VFIO_DEVICE_FLAGS_FSL_MC = 1u << 6;
        internal const uint VFIO_DEVICE_FLAGS_CAPS = 1u << 7;
        internal const uint VFIO_DEVICE_FLAGS_CDX = 1u << 8;

        internal static readonly nuint VFIO_DEVICE_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 7);
        internal static readonly nuint VFIO_DEVICE_RESET = _IO(VFIO_TYPE, VFIO_BASE + 11);
    }
}
