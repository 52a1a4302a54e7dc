using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // GET only (Linux 6.2+): the device's estimate of the bytes STOP_COPY will produce.
        internal const uint VFIO_DEVICE_FEATURE_MIG_DATA_SIZE = 9;

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_mig_data_size
        {
            public ulong stop_copy_length;
        }
    }
}
