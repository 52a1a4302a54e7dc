using static Vfio.Interop.Vfio;

namespace Vfio.Tests.Bindings;

public sealed class IoctlNumberTests
{
    public static TheoryData<string, nuint, uint> VfioIoctls => new()
    {
        { nameof(VFIO_GET_API_VERSION), VFIO_GET_API_VERSION, 0 },
        { nameof(VFIO_CHECK_EXTENSION), VFIO_CHECK_EXTENSION, 1 },
        { nameof(VFIO_SET_IOMMU), VFIO_SET_IOMMU, 2 },
        { nameof(VFIO_GROUP_GET_STATUS), VFIO_GROUP_GET_STATUS, 3 },
        { nameof(VFIO_GROUP_SET_CONTAINER), VFIO_GROUP_SET_CONTAINER, 4 },
        { nameof(VFIO_GROUP_UNSET_CONTAINER), VFIO_GROUP_UNSET_CONTAINER, 5 },
        { nameof(VFIO_GROUP_GET_DEVICE_FD), VFIO_GROUP_GET_DEVICE_FD, 6 },
        { nameof(VFIO_DEVICE_GET_INFO), VFIO_DEVICE_GET_INFO, 7 },
        { nameof(VFIO_DEVICE_GET_REGION_INFO), VFIO_DEVICE_GET_REGION_INFO, 8 },
        { nameof(VFIO_DEVICE_GET_IRQ_INFO), VFIO_DEVICE_GET_IRQ_INFO, 9 },
        { nameof(VFIO_DEVICE_SET_IRQS), VFIO_DEVICE_SET_IRQS, 10 },
        { nameof(VFIO_DEVICE_RESET), VFIO_DEVICE_RESET, 11 },
        { nameof(VFIO_DEVICE_FEATURE), VFIO_DEVICE_FEATURE, 17 },
        { nameof(VFIO_DEVICE_BIND_IOMMUFD), VFIO_DEVICE_BIND_IOMMUFD, 18 },
        { nameof(VFIO_DEVICE_ATTACH_IOMMUFD_PT), VFIO_DEVICE_ATTACH_IOMMUFD_PT, 19 },
        { nameof(VFIO_DEVICE_DETACH_IOMMUFD_PT), VFIO_DEVICE_DETACH_IOMMUFD_PT, 20 },
        { nameof(VFIO_MIG_GET_PRECOPY_INFO), VFIO_MIG_GET_PRECOPY_INFO, 21 },
    };

    [Theory]
    [MemberData(nameof(VfioIoctls))]
    public void VfioIoctl_DecodesAsIoWithTypeSemicolonAndItsNumber(string name, nuint request, uint offsetFromBase)
    {
        // Decode with the asm-generic field widths: nr 8 bits, type 8, size 14, dir 2.
        Assert.True((request & 0xff) == 100 + offsetFromBase, $"{name}: nr");
        Assert.True(((request >> 8) & 0xff) == ';', $"{name}: type");
        Assert.True((request >> 16) == 0, $"{name}: _IO has neither size nor direction");
    }

    [Fact]
    public void IoDerivation_GivesTheNumbersSeenInStraceOutput()
    {
        // strace prints VFIO_DEVICE_FEATURE as 0x3b75 and VFIO_GET_API_VERSION as 0x3b64.
        Assert.Equal((nuint)0x3b75, VFIO_DEVICE_FEATURE);
        Assert.Equal((nuint)0x3b64, VFIO_GET_API_VERSION);
    }

    [Fact]
    public void Ioc_PutsEveryFieldInItsPlace()
    {
        // _IOC(dir=2 (read), type='V', nr=5, size=16), the shape of _IOR('V', 5, 16-byte struct)
        Assert.Equal((nuint)((2u << 30) | (16u << 16) | ('V' << 8) | 5u), _IOC(2, 'V', 5, 16));
    }
}
