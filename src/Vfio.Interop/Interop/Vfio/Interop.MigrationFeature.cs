using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // GET only: which v2 migration states the device supports.
        internal const uint VFIO_DEVICE_FEATURE_MIGRATION = 1;

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_migration
        {
            public ulong flags;
        }

        internal const ulong VFIO_MIGRATION_STOP_COPY = 1ul << 0;
        internal const ulong VFIO_MIGRATION_P2P = 1ul << 1;
        internal const ulong VFIO_MIGRATION_PRE_COPY = 1ul << 2;
    }
}
