using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // VFIO_DEVICE_FEATURE (Linux 5.18+): the header, followed by the feature's own struct in data[]
        // (a flexible array in C). flags holds the feature index in its low 16 bits plus GET/SET/PROBE.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature
        {
            public uint argsz;
            public uint flags;
        }

        internal const uint VFIO_DEVICE_FEATURE_MASK = 0xffff;
        internal const uint VFIO_DEVICE_FEATURE_GET = 1u << 16;
        internal const uint VFIO_DEVICE_FEATURE_SET = 1u << 17;
        internal const uint VFIO_DEVICE_FEATURE_PROBE = 1u << 18;

        internal static readonly nuint VFIO_DEVICE_FEATURE = _IO(VFIO_TYPE, VFIO_BASE + 17);
    }
}
