namespace Vfio;

internal static partial class Interop
{
    // include/uapi/linux/vfio.h, mirrored from Linux 6.12 and checked against that header by
    // tests/Vfio.Interop.Tests/Abi. Kernel names inside, .NET names in the public types.
    internal static partial class Vfio
    {
        // asm-generic/ioctl.h: the request number layout shared by x86-64 and arm64.
        internal const int _IOC_NRBITS = 8;
        internal const int _IOC_TYPEBITS = 8;
        internal const int _IOC_SIZEBITS = 14;
        internal const int _IOC_NRSHIFT = 0;
        internal const int _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
        internal const int _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
        internal const int _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;
        internal const uint _IOC_NONE = 0;

        // #define _IOC(dir,type,nr,size) (((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | ...)
        internal static nuint _IOC(uint dir, uint type, uint nr, uint size) =>
            (nuint)((dir << _IOC_DIRSHIFT) | (type << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT) | (size << _IOC_SIZESHIFT));

        // #define _IO(type,nr) _IOC(_IOC_NONE,(type),(nr),0). VFIO uses _IO for every ioctl: the size travels
        // in the argsz field of the struct instead of in the request number.
        internal static nuint _IO(uint type, uint nr) => _IOC(_IOC_NONE, type, nr, 0);

        // #define VFIO_TYPE (';') / #define VFIO_BASE 100
        internal const uint VFIO_TYPE = ';';
        internal const uint VFIO_BASE = 100;

        // The only API version there has ever been; VFIO_GET_API_VERSION returns it.
        internal const int VFIO_API_VERSION = 0;

        // Extensions, asked for with VFIO_CHECK_EXTENSION; the IOMMU ones are also VFIO_SET_IOMMU arguments.
        internal const uint VFIO_TYPE1_IOMMU = 1;
        internal const uint VFIO_SPAPR_TCE_IOMMU = 2;
        internal const uint VFIO_TYPE1v2_IOMMU = 3;
        internal const uint VFIO_DMA_CC_IOMMU = 4;
        internal const uint VFIO_EEH = 5;
        internal const uint VFIO_TYPE1_NESTING_IOMMU = 6;
        internal const uint VFIO_SPAPR_TCE_v2_IOMMU = 7;
        internal const uint VFIO_NOIOMMU_IOMMU = 8;
        internal const uint VFIO_UNMAP_ALL = 9;
        internal const uint VFIO_UPDATE_VADDR = 10;

        // Container ioctls (on /dev/vfio/vfio).
        internal static readonly nuint VFIO_GET_API_VERSION = _IO(VFIO_TYPE, VFIO_BASE + 0);
        internal static readonly nuint VFIO_CHECK_EXTENSION = _IO(VFIO_TYPE, VFIO_BASE + 1);
        internal static readonly nuint VFIO_SET_IOMMU = _IO(VFIO_TYPE, VFIO_BASE + 2);
    }
}
