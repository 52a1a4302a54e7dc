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
    public void ChainedLinks_AbsoluteAndRelativeWithDotDot_ResolveAsRealpathDoes()
    {
        // class/x -> (absolute, inside the root) devices/p/q -> (relative) ../r, whose parent p holds "attr".
        _tree.File("sys/devices/p/r/attr", "value\n")
             .Link("sys/devices/p/q", "./../p/./r")
             .Link("sys/class/x", _tree.PathOf("sys/devices/p/q"));

        SysfsPath attr = _sysfs.Layout.Root / "sys" / "class" / "x" / "attr";

        Assert.Equal("sys/devices/p/r/attr", _sysfs.Resolve(attr)!.Value.Relative);
        Assert.Equal("value", _sysfs.ReadLine(attr));
    }

    [Fact]
    public void ARootThatIsItselfALink_IsResolvedAndPathsStayRelativeToTheRootGiven()
    {
        using var real = new TempTree();
        real.File("sys/attr", "through the link\n");
        string linkedRoot = _tree.PathOf("linked-root");
        File.CreateSymbolicLink(linkedRoot, real.Root);
        var sysfs = new RealSysfs(new SysfsLayout(linkedRoot, _tree.PathOf("manifests")));

        SysfsPath attr = sysfs.Layout.Root / "sys" / "attr";

        Assert.Equal("through the link", sysfs.ReadLine(attr));
        SysfsPath resolved = sysfs.Resolve(attr)!.Value;
        Assert.Equal(linkedRoot, resolved.Root);
        Assert.Equal("sys/attr", resolved.Relative);
    }

    [Fact]
    public void NonAsciiNamesAndLinkTargets_AreWalkedByteForByte()
    {
        _tree.File("sys/dévices/ünit/attr", "utf8\n").Link("sys/class/ü", "../dévices/ünit");

        SysfsPath attr = _sysfs.Layout.Root / "sys" / "class" / "ü" / "attr";

        Assert.Equal("sys/dévices/ünit/attr", _sysfs.Resolve(attr)!.Value.Relative);
        Assert.Equal("utf8", _sysfs.ReadLine(attr));
    }

    [Fact]
    public void ALinkWhoseTargetLeavesAndReentersTheRoot_IsFollowedToWhereItLands()
    {
        // Only where the walk ends counts, as before: a target spelled through a directory outside is accepted when
        // it lands inside.
        string up = string.Concat(Enumerable.Repeat("../", _tree.Root.Count(c => c == '/') + 3));
        _tree.File("sys/devices/d/attr", "landed\n")
             .Link("sys/class/round", up + _outside.Root.TrimStart('/') + "/../" + Path.GetFileName(_tree.Root) + "/sys/devices/d");

        Assert.Equal("landed", _sysfs.ReadLine(_sysfs.Layout.Root / "sys" / "class" / "round" / "attr"));
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
