using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // GET reads the current state; SET takes one arc. On SET the kernel fills data_fd with a new fd when
        // the arc opens a data session (to STOP_COPY, RESUMING, PRE_COPY, PRE_COPY_P2P), else -1. vfio.h: "The
        // user is responsible to close this FD when it is finished."
        internal const uint VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE = 2;

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_mig_state
        {
            public uint device_state;
            public int data_fd;
        }

        // enum vfio_device_mig_state: explicit values in the header, fixed by the ABI.
        internal const uint VFIO_DEVICE_STATE_ERROR = 0;
        internal const uint VFIO_DEVICE_STATE_STOP = 1;
        internal const uint VFIO_DEVICE_STATE_RUNNING = 2;
        internal const uint VFIO_DEVICE_STATE_STOP_COPY = 3;
        internal const uint VFIO_DEVICE_STATE_RESUMING = 4;
        internal const uint VFIO_DEVICE_STATE_RUNNING_P2P = 5;
        internal const uint VFIO_DEVICE_STATE_PRE_COPY = 6;
        internal const uint VFIO_DEVICE_STATE_PRE_COPY_P2P = 7;
    }
}
