using Vfio.Manager.Definitions;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Tests.Manager.Migration;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Tests.Safety;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Tests.Manager.Safety;

/// <summary>Definitions and the emulated host's device state are created owner-only, whatever the umask.</summary>
[Collection(UmaskCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFileModeTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void DefinitionStore_CreatesDefinitions0600InParentDirectories0700()
    {
        var store = new DefinitionStore(_tree.PathOf("etc/mdevctl.d"));
        var parent = ParentDeviceName.Parse("0000:00:03.0");
        MdevUuid uuid = MdevUuid.NewUuid();

        using (UmaskScope.Open())
        {
            store.Define(new MdevDefinition(uuid, parent, MdevTypeName.Parse("vendor-nic-1"), AutoStart: false, []));
        }

        Assert.Equal(Private, UmaskScope.ModeOf(store.PathOf(parent, uuid)));
        Assert.Equal(PrivateDirectory, UmaskScope.ModeOf(Path.GetDirectoryName(store.PathOf(parent, uuid))!));
    }

    [Fact]
    public void DefinitionStore_ModifyKeepsTheFile0600()
    {
        var store = new DefinitionStore(_tree.PathOf("etc/mdevctl.d"));
        var parent = ParentDeviceName.Parse("0000:00:03.0");
        MdevUuid uuid = MdevUuid.NewUuid();
        using (UmaskScope.Open())
        {
            store.Define(new MdevDefinition(uuid, parent, MdevTypeName.Parse("vendor-nic-1"), AutoStart: false, []));
            store.Modify(new MdevDefinition(uuid, parent, MdevTypeName.Parse("vendor-nic-1"), AutoStart: true, []));
        }

        Assert.Equal(Private, UmaskScope.ModeOf(store.PathOf(parent, uuid)));
        Assert.True(store.Require(uuid).AutoStart);
    }

    [Fact]
    public void EmulatedHost_KeepsDeviceStateLocksAndFaultsOwnerOnly()
    {
        using EmulatedMigrationHost host = new();
        MdevUuid device = host.CreateDevice(EmulatedMigrationHost.V2Type);
        using (UmaskScope.Open())
        {
            host.Faults.Set(device, new DeviceFaults { CutStreamAfterBytes = 1 << 20 });
            using (IVfioDevice opened = host.Opener.Open(device))
            {
                MigrationDriver.Open(opened).TransitionTo(MigrationState.Stop)?.Dispose();
            }
        }

        string state = Path.Join(host.Root, "var/lib/vfio-emu/devices", device.ToString());
        Assert.Equal(PrivateDirectory, UmaskScope.ModeOf(state));
        foreach (string file in new[] { "device.state", "migration_state", "faults.json", "device.lock", "opened" })
        {
            Assert.True(File.Exists(Path.Join(state, file)), file);
            Assert.Equal((file, Private), (file, UmaskScope.ModeOf(Path.Join(state, file))));
        }
        Assert.Equal(Private, UmaskScope.ModeOf(Path.Join(host.Root, "var/lib/vfio-emu/host.lock")));
    }

    [Fact]
    public void PrivateFiles_ExistingDirectoryKeepsItsMode_NewOnesAre0700()
    {
        _tree.Dir("shared");
        File.SetUnixFileMode(_tree.PathOf("shared"), (UnixFileMode)0x1ED);
        using (UmaskScope.Open())
        {
            PrivateFiles.CreateDirectory(_tree.PathOf("shared/a/b"));
        }

        Assert.Equal((UnixFileMode)0x1ED, UmaskScope.ModeOf(_tree.PathOf("shared")));
        Assert.Equal(PrivateDirectory, UmaskScope.ModeOf(_tree.PathOf("shared/a")));
        Assert.Equal(PrivateDirectory, UmaskScope.ModeOf(_tree.PathOf("shared/a/b")));
    }
}
