using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Emulation;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// Split brain: after a migration that completed (or a save that wrote the whole stream), <c>Resume</c> of the source
/// is refused with <see cref="ErrorCode.StateMovedAway"/> unless forced, on one host (migrate, save | load) and when only
/// the stream's end record tells (save alone, a save killed after its end record); a forced resume is logged and never
/// runs while the destination is seen running. A save that failed mid-way leaves the source resumable as before.
/// </summary>
public sealed class MigrationSafetySplitBrainTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    private MigrationSource Source(MdevUuid uuid, EmulatedMigrationHost? host = null) => new((host ?? _host).Migration, uuid);

    private MigrationJournal Journal => new(_host.Root);

    [Fact]
    public async Task After_a_completed_migrate_resume_of_the_source_is_refused_and_only_the_destination_runs()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        (await new MigrationOrchestrator().MigrateAsync(Source(source), destination)).ThrowIfFailed();
        MdevUuid created = destination.NewDeviceUuid!.Value;

        using EmulatedMigrationHost fresh = _host.Reopen();
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(Source(source, fresh));

        Assert.Equal(ErrorCode.StateMovedAway, resumed.Error);
        Assert.Contains(created.ToString(), resumed.Exception!.Message, StringComparison.Ordinal);
        Assert.Equal([created], fresh.RunningDevices());
        // Not even --force runs it while this host sees the destination RUNNING.
        Assert.Equal(ErrorCode.StateMovedAway, new MigrationOrchestrator().Resume(Source(source, fresh), force: true).Error);
        Assert.Equal([created], fresh.RunningDevices());
        Assert.Equal(MovedAwayRecord.DestinationRunning, Journal.FindMoved(source)!.Kind);
    }

    [Fact]
    public async Task Save_then_load_on_one_host_tells_the_source_that_its_destination_runs()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        using var stream = new MemoryStream();
        (await new MigrationOrchestrator().SaveAsync(Source(source), stream)).ThrowIfFailed();
        Assert.Equal(MovedAwayRecord.StreamSent, Journal.FindMoved(source)!.Kind);
        stream.Position = 0;
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        (await new MigrationOrchestrator().LoadAsync(destination, stream)).ThrowIfFailed();

        MigrationOutcome resumed = new MigrationOrchestrator().Resume(Source(source));

        Assert.Equal(ErrorCode.StateMovedAway, resumed.Error);
        MovedAwayRecord moved = Journal.FindMoved(source)!;
        Assert.Equal((MovedAwayRecord.DestinationRunning, destination.NewDeviceUuid.ToString()), (moved.Kind, moved.Destination));
        Assert.Equal([destination.NewDeviceUuid!.Value], _host.RunningDevices());
    }

    [Fact]
    public async Task A_save_whose_stream_was_whole_needs_force_and_the_forced_resume_is_logged()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        (await new MigrationOrchestrator().SaveAsync(Source(source), new MemoryStream())).ThrowIfFailed();

        Assert.Equal(ErrorCode.StateMovedAway, new MigrationOrchestrator().Resume(Source(source)).Error);
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));
        MigrationOutcome forced = new MigrationOrchestrator().Resume(Source(source), force: true);

        Assert.True(forced.Succeeded, forced.ToString());
        Assert.Equal(MovedAwayRecord.StreamSent, forced.Forced!.Kind);
        Assert.Equal([source], _host.RunningDevices());
        Assert.Null(Journal.FindMoved(source));
        Assert.Contains($"resume --force {source}", File.ReadAllText(Journal.LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_that_failed_mid_way_leaves_the_source_running_and_unmarked()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Faults.Set(source, new EmulatedFaults { ErrorOnArc = new Vfio.Migration.StateArc(MigrationState.PreCopy, MigrationState.StopCopy) });

        MigrationOutcome saved = await new MigrationOrchestrator().SaveAsync(Source(source), new MemoryStream());

        Assert.Equal(ErrorCode.DeviceInErrorState, saved.Error);
        Assert.Equal([source], _host.RunningDevices());
        Assert.Null(Journal.FindMoved(source));
    }

    [Fact]
    public async Task A_save_killed_after_its_end_record_is_not_resumed_without_force()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var dies = new MigrationOrchestrator { Checkpoint = p => { if (p == MigrationCheckpoint.StreamComplete) { throw new EmulatedCrashException("killed"); } } };
        await Assert.ThrowsAsync<EmulatedCrashException>(() => dies.SaveAsync(Source(source), new MemoryStream()));

        using EmulatedMigrationHost fresh = _host.Reopen();
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(Source(source, fresh));

        Assert.Equal(ErrorCode.StateMovedAway, resumed.Error);
        Assert.True(resumed.Interrupted);
        Assert.Empty(fresh.RunningDevices());
        Assert.True(new MigrationOrchestrator().Resume(Source(source, fresh), force: true).Succeeded);
        Assert.Equal([source], fresh.RunningDevices());
    }

    [Fact]
    public async Task A_migrate_killed_after_switchover_stays_refused_on_a_second_resume()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        var dies = new MigrationOrchestrator { Checkpoint = p => { if (p == MigrationCheckpoint.DestinationRunning) { throw new EmulatedCrashException("killed"); } } };
        await Assert.ThrowsAsync<EmulatedCrashException>(() => dies.MigrateAsync(Source(source), destination));

        using EmulatedMigrationHost fresh = _host.Reopen();
        Assert.Equal(ErrorCode.MigrationInterrupted, new MigrationOrchestrator().Resume(Source(source, fresh)).Error);
        // The first resume cleared the journal; before the moved-away record, the second one ran the source too.
        MigrationOutcome again = new MigrationOrchestrator().Resume(Source(source, fresh));

        Assert.Equal(ErrorCode.StateMovedAway, again.Error);
        Assert.Equal([destination.NewDeviceUuid!.Value], fresh.RunningDevices());
    }

    [Fact]
    public async Task Abort_retires_a_source_and_removing_the_device_forgets_it()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        (await new MigrationOrchestrator().SaveAsync(Source(source), new MemoryStream())).ThrowIfFailed();

        Assert.True(new MigrationOrchestrator().Abort(_host.Migration, source).Succeeded);

        Assert.Equal(MovedAwayRecord.Retired, Journal.FindMoved(source)!.Kind);
        Assert.Equal(ErrorCode.StateMovedAway, new MigrationOrchestrator().Resume(Source(source)).Error);
        _host.Host.Remove(source);
        Assert.Null(Journal.FindMoved(source));
        _host.Host.Create(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type, source);
        Assert.Null(Journal.FindMoved(source));
    }
}
