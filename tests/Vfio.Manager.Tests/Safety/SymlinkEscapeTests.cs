using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.Tests.Manager.Migration;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Safety;

/// <summary>
/// A symbolic link planted in the definitions store or under the emulated host's var/lib that leads out of its root
/// is refused with E1008 before anything is read, written or deleted through it.
/// </summary>
public sealed class SymlinkEscapeTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("vendor-nic-1");
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private DefinitionStore Store => new(_tree.PathOf("etc/mdevctl.d"));

    private static MdevDefinition Definition(MdevUuid uuid) => new(uuid, Parent, Type, AutoStart: false, []);

    [Fact]
    public void Define_ThroughAParentDirectoryLinkedOutOfTheStore_IsRefusedAndWritesNothingThere()
    {
        _tree.Dir("outside").Dir("etc/mdevctl.d").Link("etc/mdevctl.d/0000:00:03.0", _tree.PathOf("outside"));

        var e = Assert.Throws<VfioException>(() => Store.Define(Definition(MdevUuid.NewUuid())));

        Assert.Equal(ErrorCode.PathInvalid, e.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tree.PathOf("outside")));
    }

    [Fact]
    public void List_ADefinitionFileLinkedToAFileOutsideTheStore_IsRefusedNotRead()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _tree.File("secret", "{\"mdev_type\":\"vendor-nic-1\",\"start\":\"manual\",\"attrs\":[]}")
            .Link($"etc/mdevctl.d/0000:00:03.0/{uuid}", _tree.PathOf("secret"));

        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => Store.List()).Code);
        Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => Store.Find(uuid, Parent)).Code);
    }

    [Fact]
    public void Undefine_ThroughALinkOutOfTheStore_IsRefusedAndTheTargetSurvives()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _tree.Dir("outside").Dir("etc/mdevctl.d");
        string json = "{\"mdev_type\":\"vendor-nic-1\",\"start\":\"manual\",\"attrs\":[]}";
        _tree.File($"outside/{uuid}", json).Link("etc/mdevctl.d/0000:00:03.0", _tree.PathOf("outside"));

        var e = Assert.Throws<VfioException>(() => Store.Undefine(uuid, Parent));

        Assert.Equal(ErrorCode.PathInvalid, e.Code);
        Assert.Equal(json, _tree.Read($"outside/{uuid}"));
    }

    [Fact]
    public void ALinkInsideTheStore_IsFollowed()
    {
        // Links are not refused as such: one that stays inside the store is what an operator may set up.
        MdevUuid uuid = MdevUuid.NewUuid();
        _tree.Dir("etc/mdevctl.d/real");
        _tree.Link("etc/mdevctl.d/0000:00:03.0", "real");

        Store.Define(Definition(uuid));

        Assert.True(File.Exists(_tree.PathOf($"etc/mdevctl.d/real/{uuid}")));
        Assert.Equal(uuid, Store.Require(uuid).Uuid);
    }

    [Fact]
    public void EmulatedHost_DeviceStateDirectoryLinkedOut_IsRefusedAtOpenAndRemoveLeavesTheTarget()
    {
        using EmulatedMigrationHost host = new();
        MdevUuid device = host.CreateDevice(EmulatedMigrationHost.V2Type);
        string outside = Directory.CreateTempSubdirectory("safety-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Join(outside, "keep"), "not the emulator's");
            string devices = Path.Join(host.Root, "var/lib/vfio-emu/devices");
            Directory.CreateDirectory(devices);
            File.CreateSymbolicLink(Path.Join(devices, device.ToString()), outside);

            Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => host.Opener.Open(device)).Code);
            Assert.Equal(ErrorCode.PathInvalid, Assert.Throws<VfioException>(() => host.Host.Remove(device)).Code);
            Assert.Equal("not the emulator's", File.ReadAllText(Path.Join(outside, "keep")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void EmulatedHost_DeviceStateFileLinkedToASecret_IsNotRead()
    {
        using EmulatedMigrationHost host = new();
        MdevUuid device = host.CreateDevice(EmulatedMigrationHost.V2Type);
        string secret = Path.Join(Directory.CreateTempSubdirectory("safety-secret-").FullName, "shadow");
        try
        {
            File.WriteAllText(secret, "root:$6$secret");
            string state = Path.Join(host.Root, "var/lib/vfio-emu/devices", device.ToString());
            Directory.CreateDirectory(state);
            File.CreateSymbolicLink(Path.Join(state, "device.state"), secret);

            var e = Assert.Throws<VfioException>(() => host.Opener.Open(device));

            Assert.Equal(ErrorCode.PathInvalid, e.Code);
            Assert.DoesNotContain("$6$secret", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(secret)!, recursive: true);
        }
    }

    [Fact]
    public void EmulatedHost_StateRootLinkedOut_IsRefusedBeforeTheLockIsCreatedThere()
    {
        using EmulatedMigrationHost host = new();
        string outside = Directory.CreateTempSubdirectory("safety-outside-").FullName;
        try
        {
            string stateRoot = Path.Join(host.Root, "var/lib/vfio-emu");
            Directory.Delete(stateRoot, recursive: true);
            File.CreateSymbolicLink(stateRoot, outside);

            var e = Assert.Throws<VfioException>(() => host.CreateDevice(EmulatedMigrationHost.V2Type));

            Assert.Equal(ErrorCode.PathInvalid, e.Code);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}

/// <summary>Names from input that would be path segments: the hostile inputs of docs/reliability.md's audit.</summary>
public sealed class HostileNameTests
{
    [Theory]
    [InlineData("0000\uff1a00\uff1a03.0")] // fullwidth colons: reads as 0000:00:03.0
    [InlineData("mtty\u2215x")] // division slash: reads as mtty/x
    [InlineData("mtty\u202e0.3")] // right-to-left override
    [InlineData("mtt\u0443")] // Cyrillic u
    [InlineData("\u00a0mtty")] // no-break space
    public void ParentName_UnicodeLookAlike_IsRefused(string text)
    {
        Assert.False(ParentDeviceName.TryParse(text, out _));
        Assert.Equal(ErrorCode.NameInvalid, Assert.Throws<VfioException>(() => ParentDeviceName.Parse(text)).Code);
    }

    [Theory]
    [InlineData("-rf")]
    [InlineData("0.0.0001")]
    [InlineData("ap")]
    public void ParentName_PrintableAscii_IsAccepted(string text) => Assert.True(ParentDeviceName.TryParse(text, out _));

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../etc/passwd")]
    [InlineData("mtty-2/../../x")]
    [InlineData("mtty-2\0")]
    [InlineData("mtty-2\n")]
    [InlineData("mtty\u20122")] // hyphen look-alike
    public void TypeName_AbsoluteTraversalNulNewlineLookAlike_AreRefused(string text) =>
        Assert.Equal(ErrorCode.NameInvalid, Assert.Throws<VfioException>(() => MdevTypeName.Parse(text)).Code);

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("../rss")]
    [InlineData("rss\0")]
    [InlineData("r\u0455s")] // Cyrillic dze
    public void AttributeName_AbsoluteTraversalNulLookAlike_AreRefused(string text) =>
        Assert.Equal(ErrorCode.NameInvalid, Assert.Throws<VfioException>(() => AttributeName.Parse(text)).Code);

    [Fact]
    public void Names_LongerThanNameMax_AreRefused()
    {
        string longName = new('a', NameRules.MaxSegmentLength + 1);
        Assert.False(ParentDeviceName.TryParse(longName, out _));
        Assert.False(MdevTypeName.TryParse(longName, out _));
        Assert.False(AttributeName.TryParse(longName, out _));
        Assert.False(MdevUuid.TryParse(longName, out _));
    }

    [Fact]
    public void DefinitionStore_SkipsEntriesWhoseNamesAreNotParentsOrUuids()
    {
        using var tree = new TempTree();
        // (A UUID in upper case is a UUID: it is listed under its canonical spelling, see DefinitionSpellingTests.)
        tree.File("etc/mdevctl.d/mtty\u2215x/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "{}")
            .File("etc/mdevctl.d/0000:00:03.0/not-a-uuid", "{}")
            .File("etc/mdevctl.d/0000:00:03.0/{83b8f4f2-509f-382f-3c1e-e6bfe0fa1001}", "{}");

        Assert.Empty(new DefinitionStore(tree.PathOf("etc/mdevctl.d")).List());
    }
}

/// <summary>Definition files that are not small regular files are named, never read without bound or waited on.</summary>
public sealed class DefinitionFileKindTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void AFifoNamedAsADefinition_IsRefusedNotWaitedOn()
    {
        const string uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
        _tree.Dir("etc/mdevctl.d/0000:00:03.0");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(_tree.PathOf($"etc/mdevctl.d/0000:00:03.0/{uuid}")));

        var e = Assert.Throws<VfioException>(() => new DefinitionStore(_tree.PathOf("etc/mdevctl.d")).List());

        Assert.Equal(ErrorCode.DefinitionInvalid, e.Code);
        Assert.Contains("regular file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOversizedDefinition_IsRefusedBeforeItIsRead()
    {
        const string uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
        _tree.Dir("etc/mdevctl.d/0000:00:03.0");
        using (var big = File.Create(_tree.PathOf($"etc/mdevctl.d/0000:00:03.0/{uuid}")))
        {
            big.SetLength(DefinitionStore.MaxDefinitionBytes + 1);
        }

        var e = Assert.Throws<VfioException>(() => new DefinitionStore(_tree.PathOf("etc/mdevctl.d")).Find(MdevUuid.Parse(uuid), ParentDeviceName.Parse("0000:00:03.0")));

        Assert.Equal(ErrorCode.DefinitionInvalid, e.Code);
    }
}
