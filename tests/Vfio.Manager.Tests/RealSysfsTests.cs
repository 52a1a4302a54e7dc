using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager;

public sealed class RealSysfsTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly TempTree _outside = new();
    private readonly RealSysfs _sysfs;

    public RealSysfsTests()
    {
        _sysfs = new RealSysfs(new SysfsLayout(_tree.Root, _tree.PathOf("manifests")));
        _outside.File("secret", "outside\n");
    }

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void LinkInsideTheRoot_IsFollowed()
    {
        _tree.File("sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-1/name", "Single port serial\n")
             .Link("sys/class/mdev_bus/mtty", "../../devices/virtual/mtty/mtty");

        SysfsPath name = _sysfs.Layout.TypeName(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-1"));

        Assert.Equal("Single port serial", _sysfs.ReadLine(name));
        Assert.Equal("sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-1/name", _sysfs.Resolve(name)!.Value.Relative);
    }

    [Fact]
    public void RelativeLinkOutOfTheRoot_IsRefusedForReadWriteListAndExists()
    {
        string up = string.Concat(Enumerable.Repeat("../", _tree.Root.Count(c => c == '/') + 3));
        _tree.Link("sys/class/mdev_bus/evil", up + _outside.Root.TrimStart('/'));
        SysfsPath secret = _sysfs.Layout.MdevBus / "evil" / "secret";

        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => _sysfs.ReadText(secret)).Code);
        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => _sysfs.Write(secret, "x")).Code);
        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => _sysfs.Exists(secret)).Code);
        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => _sysfs.List(_sysfs.Layout.MdevBus / "evil")).Code);
        Assert.Equal("outside\n", _outside.Read("secret"));
    }

    [Fact]
    public void AbsoluteLinkOutOfTheRoot_IsRefused()
    {
        _tree.Link("sys/class/mdev_bus/evil", _outside.Root);
        var e = Assert.Throws<VfioException>(() => _sysfs.ReadText(_sysfs.Layout.MdevBus / "evil" / "secret"));
        Assert.Equal(ErrorCode.PathInvalid, e.Code);
        Assert.Contains(_outside.Root, e.Message);
    }

    [Fact]
    public void LinkLoop_IsRefused()
    {
        _tree.Link("sys/a", "b").Link("sys/b", "a");
        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => _sysfs.Exists(_sysfs.Layout.Root / "sys" / "a")).Code);
    }

    [Fact]
    public void Write_IsExactAndReplacesTheContent()
    {
        _tree.File("sys/attr", "previous longer content\n");
        _sysfs.Write(_sysfs.Layout.Root / "sys" / "attr", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
        Assert.Equal("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", _tree.Read("sys/attr"));
    }

    [Fact]
    public void Write_ToAMissingAttribute_FailsAndCreatesNothing()
    {
        _tree.Dir("sys");
        var e = Assert.Throws<VfioException>(() => _sysfs.Write(_sysfs.Layout.Root / "sys" / "create", "x"));
        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.False(File.Exists(_tree.PathOf("sys/create")));
    }

    [Fact]
    public void List_IsSortedAndEmptyForAMissingDirectory()
    {
        _tree.File("sys/d/b", "").File("sys/d/a", "").Dir("sys/d/c");
        Assert.Equal(["a", "b", "c"], _sysfs.List(_sysfs.Layout.Root / "sys" / "d"));
        Assert.Empty(_sysfs.List(_sysfs.Layout.Root / "sys" / "none"));
    }
}
