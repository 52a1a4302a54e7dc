using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Sdk;
using Vfio.Tests.Support;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Tests.Manager.Migration;

public sealed class EmulatedDeviceOpenerTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Open_FreezesTheConfiguration()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Opener.Open(device).Dispose();

        var e = Assert.Throws<VfioException>(() => _host.Host.Configure(device,
            Vfio.DeviceModels.DeviceConfiguration.Parse(TestNicModels.Current, "version=1")));

        Assert.Equal(ErrorCode.DeviceAlreadyOpened, e.Code);
    }

    [Fact]
    public void DeviceCode_IsTheBackendTheOpenedDeviceRuns_AndNullForAnyOtherDevice()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        using IVfioDevice opened = _host.Opener.Open(device);

        var nic = Assert.IsType<TestNic>(EmulatedDeviceOpener.DeviceCode(opened));

        Assert.Same(((PersistentEmulatedDevice)opened).Backend, nic);
        Assert.Null(EmulatedDeviceOpener.DeviceCode(new Moq.Mock<IVfioDevice>().Object));
    }

    [Fact]
    public void StateAndMigrationState_PersistAcrossProcesses()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        using (IVfioDevice opened = _host.Opener.Open(device))
        {
            ((TestNic)((PersistentEmulatedDevice)opened).Backend).Counter = 99;
            MigrationDriver.Open(opened).TransitionTo(MigrationState.Stop)?.Dispose();
        }

        using EmulatedMigrationHost other = _host.Reopen();
        NicSnapshot seen = other.Snapshot(device);

        Assert.Equal(99UL, seen.Counter);
        Assert.Equal(MigrationState.Stop, seen.State);
        Assert.Equal("Stop\n", File.ReadAllText(Path.Join(_host.Root, "var/lib/vfio-emu/devices", device.ToString(), "migration_state")));
    }

    [Fact]
    public void ADeviceOpenElsewhere_CannotBeOpenedUntilItIsClosed()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var impatient = new EmulatedDeviceOpener(_host.Sysfs, _host.Catalog, TimeSpan.FromMilliseconds(50));
        using (_host.Opener.Open(device))
        {
            var e = Assert.Throws<VfioException>(() => impatient.Open(device));
            Assert.Equal(ErrorCode.LockTimeout, e.Code);
        }
        impatient.Open(device).Dispose();
    }

    [Fact]
    public void Faults_RoundTripThroughTheirFile_AndApplyAtOpen()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Faults.Set(device, new DeviceFaults
        {
            RefuseArc = new StateArc(MigrationState.Running, MigrationState.Stop),
            ErrorOnArc = new StateArc(MigrationState.Resuming, MigrationState.Stop),
            CutStreamAfterBytes = 10,
            CorruptSavedByteAt = 3,
            CrashAfterBytes = 1000,
        });

        // A second process reads what the first armed.
        using EmulatedMigrationHost other = _host.Reopen();
        DeviceFaults read = other.Faults.Get(device);

        Assert.Equal(new StateArc(MigrationState.Running, MigrationState.Stop), read.RefuseArc);
        Assert.Equal(new StateArc(MigrationState.Resuming, MigrationState.Stop), read.ErrorOnArc);
        Assert.Equal((10L, 3L, 1000L), (read.CutStreamAfterBytes!.Value, read.CorruptSavedByteAt!.Value, read.CrashAfterBytes!.Value));
        using IVfioDevice opened = _host.Opener.Open(device);
        var refused = Assert.Throws<MigrationStateException>(() => MigrationDriver.Open(opened).TransitionTo(MigrationState.Stop));
        Assert.Equal(ErrorCode.DeviceRefusedState, refused.Code);
    }

    [Fact]
    public void MalformedFaultsFile_IsNamed()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        string file = Path.Join(_host.Root, "var/lib/vfio-emu/devices", device.ToString(), "faults.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, """{"refuse_arc": "Running to Stop"}""");

        var e = Assert.Throws<VfioException>(() => _host.Faults.Get(device));

        Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
        Assert.Contains("Running to Stop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATypeWhoseImplementationThisProcessLacks_IsNamed()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var bare = new EmulatedDeviceOpener(_host.Sysfs, new DeviceImplementationCatalog());

        var e = Assert.Throws<VfioException>(() => bare.Open(device));

        Assert.Equal(ErrorCode.ModelUnknown, e.Code);
        Assert.Contains("test.example/nic@3", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>Driver bugs armed in faults.json reach the device the next process opens; a name that is no bug is refused.</summary>
public sealed class EmulatedDriverBugFaultTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Armed_driver_bugs_are_applied_at_the_next_open()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Faults.Set(device, new DeviceFaults { DriverBugs = Vfio.Emulation.EmulatedDriverBugs.NoDataFdOnStopCopy | Vfio.Emulation.EmulatedDriverBugs.ResetKeepsError });

        using IVfioDevice opened = _host.Opener.Open(device);
        MigrationDriver.Open(opened).TransitionTo(MigrationState.Stop);

        // The bug is live: STOP -> STOP_COPY hands out no data_fd.
        Assert.Null(opened.SetMigrationState(MigrationState.StopCopy));
        Assert.Equal(Vfio.Emulation.EmulatedDriverBugs.NoDataFdOnStopCopy | Vfio.Emulation.EmulatedDriverBugs.ResetKeepsError, _host.Faults.Get(device).DriverBugs);
    }

    [Fact]
    public void A_name_that_is_no_driver_bug_is_a_malformed_document()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Faults.Set(device, new DeviceFaults { DriverBugs = Vfio.Emulation.EmulatedDriverBugs.AcceptsErrorTarget });
        string path = Directory.EnumerateFiles(_host.Root, "faults.json", SearchOption.AllDirectories).Single();
        File.WriteAllText(path, File.ReadAllText(path).Replace("accepts-error-target", "1", StringComparison.Ordinal));

        VfioException e = Assert.Throws<VfioException>(() => _host.Faults.Get(device));

        Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
        Assert.Contains("no-data-fd-on-stop-copy", e.Message, StringComparison.Ordinal);
    }
}
