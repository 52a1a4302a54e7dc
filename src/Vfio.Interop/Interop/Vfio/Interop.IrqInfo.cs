using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_irq_info
        {
            public uint argsz;
            public uint flags;
            public uint index;
            public uint count;
        }

        internal const uint VFIO_IRQ_INFO_EVENTFD = 1u << 0;
        internal const uint VFIO_IRQ_INFO_MASKABLE = 1u << 1;
        internal const uint VFIO_IRQ_INFO_AUTOMASKED = 1u << 2;
        internal const uint VFIO_IRQ_INFO_NORESIZE = 1u << 3;

        internal static readonly nuint VFIO_DEVICE_GET_IRQ_INFO = _IO(VFIO_TYPE, VFIO_BASE + 9);

        // Followed by the data the DATA_* flag names (a flexible array in C).
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_irq_set
        {
            public uint argsz;
            public uint flags;
            public uint index;
            public uint start;
            public uint count;
        }

        internal const uint VFIO_IRQ_SET_DATA_NONE = 1u << 0;
        internal const uint VFIO_IRQ_SET_DATA_BOOL = 1u << 1;
        internal const uint VFIO_IRQ_SET_DATA_EVENTFD = 1u << 2;
        internal const uint VFIO_IRQ_SET_ACTION_MASK = 1u << 3;
        internal const uint VFIO_IRQ_SET_ACTION_UNMASK = 1u << 4;
        internal const uint VFIO_IRQ_SET_ACTION_TRIGGER = 1u << 5;

        internal static readonly nuint VFIO_DEVICE_SET_IRQS = _IO(VFIO_TYPE, VFIO_BASE + 10);
    }
}
