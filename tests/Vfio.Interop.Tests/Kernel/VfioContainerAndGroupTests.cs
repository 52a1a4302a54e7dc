using Vfio.Errors;
using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

public sealed class VfioContainerAndGroupTests
{
    [Fact]
    public void MissingContainerNode_IsENOENTNamingThePath()
    {
        using var dev = new TempDevRoot();

        var e = Assert.Throws<VfioErrnoException>(() => VfioContainer.Open(dev.Paths));

        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Equal(2, e.Errno);
        Assert.Equal("open " + Path.Combine(dev.Root, "vfio", "vfio"), e.Operation);
        Assert.Contains("No such file or directory", e.Message);
    }

    [Fact]
    public void DevNullAsContainer_FailsGetApiVersionWithENOTTY()
    {
        using var dev = new TempDevRoot();
        string node = dev.LinkNode("vfio", "/dev/null");

        var e = Assert.Throws<VfioErrnoException>(() => VfioContainer.Open(dev.Paths));

        Assert.Equal("ENOTTY", e.ErrnoName);
        Assert.Equal("ioctl VFIO_GET_API_VERSION on " + node, e.Operation);
        Assert.EndsWith("failed: ENOTTY (25): Inappropriate ioctl for device", e.Message);
    }

    [Fact]
    public void RegularFileAsGroup_FailsGetStatusWithENOTTYNamingTheGroupNode()
    {
        using var dev = new TempDevRoot();
        string node = dev.FileNode("12");
        using VfioGroup group = VfioGroup.Open(12, dev.Paths);

        var e = Assert.Throws<VfioErrnoException>(() => group.RequireViable());

        Assert.Equal(12, group.Number);
        Assert.Equal("ENOTTY", e.ErrnoName);
        Assert.Equal("ioctl VFIO_GROUP_GET_STATUS on " + node, e.Operation);
    }

    [Fact]
    public void RegularFileAsGroup_FailsGetDeviceFdWithENOTTYNamingTheDevice()
    {
        using var dev = new TempDevRoot();
        string node = dev.FileNode("7");
        using VfioGroup group = VfioGroup.Open(7, dev.Paths);

        var e = Assert.Throws<VfioErrnoException>(() => group.OpenDevice("0000:00:03.0"));

        Assert.Equal("0000:00:03.0", e.Device);
        Assert.Equal($"ioctl VFIO_GROUP_GET_DEVICE_FD(0000:00:03.0) on {node}", e.Operation);
    }

    [Fact]
    public void MissingGroupNode_IsENOENT()
    {
        using var dev = new TempDevRoot();

        var e = Assert.Throws<VfioErrnoException>(() => VfioGroup.Open(3, dev.Paths));

        Assert.Equal(Interop.Errno.ENOENT, e.Errno);
        Assert.Equal("open " + Path.Combine(dev.Root, "vfio", "3"), e.Operation);
    }

    [Fact]
    public void Paths_DefaultToDev()
    {
        var paths = new VfioPaths();

        Assert.Equal("/dev/vfio/vfio", paths.ContainerPath);
        Assert.Equal("/dev/vfio/42", paths.GroupPath(42));
        Assert.Throws<ArgumentOutOfRangeException>(() => paths.GroupPath(-1));
    }

    [RequiresVfioFact]
    public void RealContainer_SpeaksApiVersionZeroAndAnswersExtensionQueries()
    {
        using VfioContainer container = VfioContainer.Open();

        // Before an IOMMU is set the container asks every registered backend; vfio_iommu_type1 answers TYPE1 and
        // TYPE1v2 alike (and no other backend answers either), so the two answers agree whatever is loaded.
        bool type1 = container.CheckExtension(VfioExtension.Type1Iommu);
        bool type1v2 = container.CheckExtension(VfioExtension.Type1v2Iommu);

        Assert.Equal(type1, type1v2);
        Assert.Equal("/dev/vfio/vfio", container.Path);
    }
}
