using Mdev.Manager.Tests.Migration;
using Vfio;
using Vfio.Devices;

namespace Mdev.Manager.Tests.Safety;

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
