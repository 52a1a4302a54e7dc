using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // Device-side dirty page tracking (Linux 6.2+). ranges and bitmap are user-space addresses carried as
        // __aligned_u64, so the structs have the same layout for 32- and 64-bit callers.
        internal const uint VFIO_DEVICE_FEATURE_DMA_LOGGING_START = 6;
        internal const uint VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP = 7;
        internal const uint VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT = 8;

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_dma_logging_control
        {
            public ulong page_size;
            public uint num_ranges;
            private uint __reserved;
            public ulong ranges;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_dma_logging_range
        {
            public ulong iova;
            public ulong length;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_feature_dma_logging_report
        {
            public ulong iova;
            public ulong length;
            public ulong page_size;
            public ulong bitmap;
        }
    }
}
