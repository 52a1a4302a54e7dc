using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // The device cdev path (/dev/vfio/devices/vfioX, Linux 6.6+): bind to an iommufd instead of a group and
        // container, then attach to an IOAS or hw_pagetable. Layouts as of Linux 6.12; later kernels append a
        // pasid field to attach/detach, which argsz lets both sides tolerate.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_bind_iommufd
        {
            public uint argsz;
            public uint flags;
            public int iommufd;
            public uint out_devid;
        }

        internal static readonly nuint VFIO_DEVICE_BIND_IOMMUFD = _IO(VFIO_TYPE, VFIO_BASE + 18);

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_attach_iommufd_pt
        {
            public uint argsz;
            public uint flags;
            public uint pt_id;
        }

        internal static readonly nuint VFIO_DEVICE_ATTACH_IOMMUFD_PT = _IO(VFIO_TYPE, VFIO_BASE + 19);

        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_detach_iommufd_pt
        {
            public uint argsz;
            public uint flags;
        }

        internal static readonly nuint VFIO_DEVICE_DETACH_IOMMUFD_PT = _IO(VFIO_TYPE, VFIO_BASE + 20);
    }
}
