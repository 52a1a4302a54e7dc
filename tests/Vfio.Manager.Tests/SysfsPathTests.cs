using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager;

public sealed class SysfsPathTests
{
    private static readonly SysfsLayout Layout = new("/srv/host", "/srv/manifests");

    [Fact]
    public void Layout_BuildsTheKernelsPaths()
    {
        var parent = ParentDeviceName.Parse("0000:00:03.0");
        var type = MdevTypeName.Parse("nvidia-35");
        var uuid = MdevUuid.Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

        Assert.Equal("/srv/host/sys/class/mdev_bus/0000:00:03.0/mdev_supported_types/nvidia-35/create", Layout.TypeCreate(parent, type).FullPath);
        Assert.Equal("/srv/host/sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001/migration/rss",
            Layout.DeviceParameter(uuid, AttributeName.Parse("rss")).FullPath);
        Assert.Equal("/srv/manifests/nvidia/nvidia-35.json", Layout.Manifest("nvidia", type).FullPath);
        Assert.Equal("/srv/host/sys/kernel/iommu_groups", Layout.IommuGroups.FullPath);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a\0")]
    [InlineData("a\nb")]
    public void Divide_RefusesSegmentsThatCouldLeaveTheDirectory(string segment)
    {
        var e = Assert.Throws<VfioException>(() => Layout.MdevBus / segment);
        Assert.Equal(ErrorCode.NameInvalid, e.Code);
    }

    [Fact]
    public void Manifest_RefusesADriverNameThatEscapes()
    {
        Assert.Equal(ErrorCode.NameInvalid, Assert.Throws<VfioException>(() => Layout.Manifest("..", MdevTypeName.Parse("mtty-1"))).Code);
    }

    [Fact]
    public void NameAndParent_WalkTheSegments()
    {
        SysfsPath path = Layout.MdevBus / "mtty";
        Assert.Equal("mtty", path.Name);
        Assert.Equal(Layout.MdevBus, path.Parent);
        Assert.Equal("sys/class/mdev_bus/mtty", path.Relative);
    }
}
