using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_group_status
        {
            public uint argsz;
            public uint flags;
        }

        internal const uint VFIO_GROUP_FLAGS_VIABLE = 1u << 0;
        internal const uint VFIO_GROUP_FLAGS_CONTAINER_SET = 1u << 1;

        // Group ioctls (on /dev/vfio/<group>).
        internal static readonly nuint VFIO_GROUP_GET_STATUS = _IO(VFIO_TYPE, VFIO_BASE + 3);
        internal static readonly nuint VFIO_GROUP_SET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 4);
        internal static readonly nuint VFIO_GROUP_UNSET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 5);
        internal static readonly nuint VFIO_GROUP_GET_DEVICE_FD = _IO(VFIO_TYPE, VFIO_BASE + 6);
    }
}
