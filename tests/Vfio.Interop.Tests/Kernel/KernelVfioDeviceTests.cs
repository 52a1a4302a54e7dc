using Vfio.Devices;
using Vfio.Errors;
using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

/// <summary>
/// The kernel device's own logic, driven through fds that are not VFIO devices (/dev/null): the ioctls fail the way
/// the kernel fails them for a non-VFIO fd (ENOTTY), which exercises the errno paths and the feature-absent mapping.
/// </summary>
public sealed class KernelVfioDeviceTests
{
    private static KernelVfioDevice OpenOnDevNull(string name = "mdev-1") =>
        new(Open("/dev/null"), name, "/dev/vfio/12");

    private static SafeVfioHandle Open(string path) => KernelCall.Open(path);

    [Fact]
    public void GetInfo_OnANonVfioFd_IsENOTTYNamingTheIoctlAndDevice()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        var e = Assert.Throws<VfioErrnoException>(() => device.GetInfo());

        Assert.Equal("ENOTTY", e.ErrnoName);
        Assert.Equal("ioctl VFIO_DEVICE_GET_INFO on /dev/vfio/12", e.Operation);
        Assert.Equal("mdev-1", e.Device);
        Assert.StartsWith("mdev-1: ioctl VFIO_DEVICE_GET_INFO", e.Message);
    }

    [Fact]
    public void GetRegionInfo_NamesTheRegion()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        var e = Assert.Throws<VfioErrnoException>(() => device.GetRegionInfo(3));

        Assert.Equal("ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 3", e.Operation);
    }

    [Fact]
    public void ReadRegion_AsksForTheRegionFirstAndDoesNotReadBlind()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        var e = Assert.Throws<VfioErrnoException>(() => device.ReadRegion(2, 0, new byte[8]));

        Assert.Equal("ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 2", e.Operation);
    }

    [Fact]
    public void GetIrqInfo_AndReset_ReportTheirIoctl()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        Assert.Equal("ioctl VFIO_DEVICE_GET_IRQ_INFO on /dev/vfio/12 irq 1", Assert.Throws<VfioErrnoException>(() => device.GetIrqInfo(1)).Operation);
        Assert.Equal("ioctl VFIO_DEVICE_RESET on /dev/vfio/12", Assert.Throws<VfioErrnoException>(() => device.Reset()).Operation);
    }

    [Fact]
    public void GetMigrationFeatures_WhenTheFdHasNoDeviceFeatureIoctl_IsNone()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        Assert.Equal(MigrationFeatures.None, device.GetMigrationFeatures());
    }

    [Fact]
    public void GetMigrationDataSize_WhenAbsent_IsFeatureUnsupportedWithTheErrnoInside()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        var e = Assert.Throws<VfioException>(() => device.GetMigrationDataSize());

        Assert.Equal(ErrorCode.FeatureUnsupported, e.Code);
        Assert.Equal("mdev-1", e.Device);
        var inner = Assert.IsType<VfioErrnoException>(e.InnerException);
        Assert.Equal("ioctl VFIO_DEVICE_FEATURE GET VFIO_DEVICE_FEATURE_MIG_DATA_SIZE on /dev/vfio/12", inner.Operation);
    }

    [Fact]
    public void SetMigrationState_Refused_IsAKernelCallFailureNamingTheTarget()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        var e = Assert.Throws<VfioErrnoException>(() => device.SetMigrationState(MigrationState.StopCopy));

        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Equal("ioctl VFIO_DEVICE_FEATURE SET VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE to StopCopy on /dev/vfio/12", e.Operation);
    }

    [Fact]
    public void GetMigrationState_Failure_IsNotMistakenForAState()
    {
        using KernelVfioDevice device = OpenOnDevNull();

        Assert.Equal("ENOTTY", Assert.Throws<VfioErrnoException>(() => device.GetMigrationState()).ErrnoName);
    }

    [Fact]
    public void Dispose_ClosesTheFd()
    {
        SafeVfioHandle fd = Open("/dev/null");
        var device = new KernelVfioDevice(fd, "d", "/dev/vfio/1");

        device.Dispose();

        Assert.True(fd.IsClosed);
    }

    [Fact]
    public void FdZero_IsAValidHandle_OnlyMinusOneIsInvalid()
    {
        var zero = new SafeVfioHandle(0);
        var minusOne = new SafeVfioHandle(-1);
        try
        {
            Assert.False(zero.IsInvalid);
            Assert.True(minusOne.IsInvalid);
        }
        finally
        {
            zero.SetHandleAsInvalid(); // never close the test host's stdin
            minusOne.Dispose();
        }
    }

    [RequiresVfioDeviceFact]
    public void RealDevice_InfoRegionsAndFeaturesAreConsistent()
    {
        int groupNumber = int.Parse(Environment.GetEnvironmentVariable("VFIO_TEST_GROUP")!, System.Globalization.CultureInfo.InvariantCulture);
        string name = Environment.GetEnvironmentVariable("VFIO_TEST_DEVICE")!;
        using VfioContainer container = VfioContainer.Open();
        using VfioGroup group = VfioGroup.Open(groupNumber);
        group.RequireViable();
        group.SetContainer(container);
        container.SetIommu(container.CheckExtension(VfioExtension.Type1v2Iommu) ? VfioExtension.Type1v2Iommu : VfioExtension.NoIommu);
        using KernelVfioDevice device = group.OpenDevice(name);

        VfioDeviceInfo info = device.GetInfo();
        Assert.True(info.NumRegions > 0);
        for (uint i = 0; i < info.NumRegions; i++)
        {
            VfioRegionInfo region = device.GetRegionInfo(i);
            Assert.Equal(i, region.Index);
        }
        MigrationFeatures features = device.GetMigrationFeatures();
        if (features.HasFlag(MigrationFeatures.StopCopy))
        {
            Assert.Equal(MigrationState.Running, device.GetMigrationState());
        }
    }
}
