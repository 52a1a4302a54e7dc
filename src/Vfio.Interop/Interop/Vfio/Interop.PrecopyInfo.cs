using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // VFIO_MIG_GET_PRECOPY_INFO (Linux 6.2+) is issued on the data_fd, not on the device fd, and only while
        // the device is in PRE_COPY or PRE_COPY_P2P.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_precopy_info
        {
            public uint argsz;
            public uint flags;
            public ulong initial_bytes;
            public ulong dirty_bytes;
        }

        internal static readonly nuint VFIO_MIG_GET_PRECOPY_INFO = _IO(VFIO_TYPE, VFIO_BASE + 21);
    }
}
