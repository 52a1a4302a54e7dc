using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// A process that dies mid-migration (simulated by a checkpoint that throws the emulated crash, which the orchestrator
/// treats as death: nothing is rolled back) leaves its journal and a truthful device state on disk, and a fresh
/// process finishes the job with resume or abort, never leaving two devices running.
/// </summary>
public sealed class InterruptedMigrationTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    private static MigrationOrchestrator DiesAt(MigrationCheckpoint point) => new()
    {
        Checkpoint = reached =>
        {
            if (reached == point)
            {
                throw new EmulatedCrashException($"killed at {reached}");
            }
        },
    };

    private string JournalFile(MdevUuid device) => Path.Join(_host.Root, "var", "lib", "vfio-migrate", "journal", device + ".json");

    [Fact]
    public async Task Killed_migration_blocks_a_new_save_with_E6018_and_resume_finishes_it()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        MdevUuid created = destination.NewDeviceUuid!.Value;

        await Assert.ThrowsAsync<EmulatedCrashException>(() => DiesAt(MigrationCheckpoint.StopCopyEntered)
            .MigrateAsync(new MigrationSource(_host.Migration, source), destination));

        using EmulatedMigrationHost fresh = _host.Reopen();
        Assert.True(File.Exists(JournalFile(source)));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(JournalFile(source)) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.Equal(MigrationState.StopCopy, fresh.StateOf(source));
        MigrationOutcome save = await new MigrationOrchestrator().SaveAsync(new MigrationSource(fresh.Migration, source), new MemoryStream());
        Assert.Equal(ErrorCode.MigrationInterrupted, save.Error);
        Assert.Equal(MigrationState.StopCopy, fresh.StateOf(source));

        MigrationOutcome resumed = new MigrationOrchestrator().Resume(new MigrationSource(fresh.Migration, source));

        Assert.True(resumed.Succeeded, resumed.ToString());
        Assert.True(resumed.Interrupted);
        Assert.Equal(MigrationState.Running, fresh.StateOf(source));
        Assert.False(fresh.Exists(created));
        Assert.False(File.Exists(JournalFile(source)));
    }

    [Fact]
    public async Task Migration_killed_after_switchover_keeps_the_source_stopped_on_resume()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);

        await Assert.ThrowsAsync<EmulatedCrashException>(() => DiesAt(MigrationCheckpoint.DestinationRunning)
            .MigrateAsync(new MigrationSource(_host.Migration, source), destination));
        using EmulatedMigrationHost fresh = _host.Reopen();
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(new MigrationSource(fresh.Migration, source));

        Assert.Equal(ErrorCode.MigrationInterrupted, resumed.Error);
        Assert.Equal(MigrationState.Stop, fresh.StateOf(source));
        Assert.Equal(MigrationState.Running, fresh.StateOf(destination.NewDeviceUuid!.Value));
        Assert.False(File.Exists(JournalFile(source)));
    }

    [Fact]
    public async Task Load_killed_after_creating_the_destination_is_not_taken_for_a_finished_one()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var stream = new MemoryStream();
        (await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), stream)).ThrowIfFailed();
        stream.Position = 0;
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        MdevUuid created = destination.NewDeviceUuid!.Value;

        await Assert.ThrowsAsync<EmulatedCrashException>(() => DiesAt(MigrationCheckpoint.DestinationCreated).LoadAsync(destination, stream));
        using EmulatedMigrationHost fresh = _host.Reopen();
        // A fresh device reads RUNNING: without the journal's "loaded" mark, resume would call the load finished.
        Assert.Equal(MigrationState.Running, fresh.StateOf(created));
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(new MigrationSource(fresh.Migration, created));
        MigrationOutcome aborted = new MigrationOrchestrator().Abort(fresh.Migration, created);

        Assert.Equal(ErrorCode.MigrationInterrupted, resumed.Error);
        Assert.True(aborted.Succeeded, aborted.ToString());
        Assert.True(aborted.DestinationRemoved);
        Assert.False(fresh.Exists(created));
        Assert.False(File.Exists(JournalFile(created)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_arc_is_on_disk_while_the_device_is_still_open(bool v1)
    {
        MdevUuid uuid = _host.CreateDevice(v1 ? EmulatedMigrationHost.V1Type : EmulatedMigrationHost.V2Type);
        using IVfioDevice device = _host.Opener.Open(uuid);
        MigrationDriver driver = MigrationDriver.Open(device);

        driver.TransitionTo(MigrationState.StopCopy)?.Dispose();

        // Before the fix the state reached the disk only when the device was closed: a killed process left RUNNING.
        Assert.Equal(MigrationState.StopCopy, _host.StateOf(uuid));
    }

    [Fact]
    public void Error_is_persisted_and_kept_until_a_reset()
    {
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MigrationFeatures features;
        using (IVfioDevice probe = _host.Opener.Open(uuid))
        {
            features = probe.GetMigrationFeatures();
        }
        _host.Faults.Set(uuid, new EmulatedFaults { ErrorOnArc = new StateArc(MigrationState.Running, MigrationArcs.PlanPath(MigrationState.Running, MigrationState.Stop, features)[0]) });
        using (IVfioDevice device = _host.Opener.Open(uuid))
        {
            VfioException e = Assert.ThrowsAny<VfioException>(() => device.SetMigrationState(MigrationState.Stop));
            Assert.Equal(ErrorCode.DeviceInErrorState, e.Code);
            Assert.Equal(MigrationState.Error, _host.StateOf(uuid));
        }
        _host.Faults.Clear(uuid);

        using EmulatedMigrationHost again = _host.Reopen();
        using IVfioDevice reopened = again.Opener.Open(uuid);
        Assert.Equal(MigrationState.Error, reopened.GetMigrationState());
        reopened.Reset();
        Assert.Equal(MigrationState.Running, reopened.GetMigrationState());
    }
}
