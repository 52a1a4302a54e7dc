using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Migration;

/// <summary>The two halves of a cross-host migration, each run by a fresh orchestrator in its own "process" over the emulated root.</summary>
public sealed class SaveLoadTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();
    private readonly string _file = Path.GetTempFileName();

    public void Dispose()
    {
        _host.Dispose();
        File.Delete(_file);
    }

    private MdevUuid RunningSource(string configuration = "version=3")
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type, configuration);
        _host.Mutate(source, nic => { nic.Counter = 9; nic.Mac = "de:ad"; nic.RssKey = [7, 7]; nic.Ring[3] = 3; });
        return source;
    }

    private async Task<MigrationOutcome> SaveToFile(MdevUuid source)
    {
        await using FileStream output = File.Create(_file);
        return await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), output);
    }

    [Fact]
    public async Task SaveThenLoadInAnotherProcess_MovesTheStateAndLeavesOnlyTheDestinationRunning()
    {
        MdevUuid source = RunningSource();
        NicSnapshot before = _host.Snapshot(source);
        using var stream = new MemoryStream();

        MigrationOutcome saved = await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), stream);

        Assert.True(saved.Succeeded, saved.ToString());
        Assert.True(saved.NothingRunning);
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));

        using EmulatedMigrationHost other = _host.Reopen();
        MdevUuid destination = other.CreateDevice(EmulatedMigrationHost.V2Type);
        stream.Position = 0;
        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(other.Migration, destination), stream);

        Assert.True(loaded.Succeeded, loaded.ToString());
        Assert.Equal(MigrationState.Running, loaded.DestinationState);
        Assert.Equal(saved.Bytes, loaded.Bytes);
        Assert.Equal(before with { State = MigrationState.Running }, other.Snapshot(destination));
        Assert.Equal([destination], other.RunningDevices());
    }

    [Fact]
    public async Task LoadIntoANewDevice_CreatesItWithTheStreamsConfiguration()
    {
        MdevUuid source = RunningSource("version=2,rx-filter-size=12");
        NicSnapshot before = _host.Snapshot(source);
        Assert.True((await SaveToFile(source)).Succeeded);

        var destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        await using FileStream input = File.OpenRead(_file);
        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(destination, input);

        Assert.True(loaded.Succeeded, loaded.ToString());
        Assert.True(loaded.DestinationCreated);
        MdevUuid created = destination.NewDeviceUuid!.Value;
        Assert.Equal(_host.Host.ReadConfiguration(source), _host.Host.ReadConfiguration(created));
        Assert.Equal(before with { State = MigrationState.Running }, _host.Snapshot(created));
    }

    [Fact]
    public async Task LoadIntoANewDeviceOfAnOldDriver_IsRefusedFromTheHeaderAndNothingIsCreated()
    {
        MdevUuid source = RunningSource("version=3");
        Assert.True((await SaveToFile(source)).Succeeded);
        int devices = _host.Host.GetDevices().Count;

        await using FileStream input = File.OpenRead(_file);
        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(
            MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.OldParent, EmulatedMigrationHost.OldType), input);

        Assert.Equal(ErrorCode.ParameterUnknownToDestination, loaded.Error);
        Assert.Contains(loaded.Problems, p => p.Parameter == "rss");
        Assert.Equal(devices, _host.Host.GetDevices().Count);
    }

    [Fact]
    public async Task HeaderMismatch_IsRefusedBeforeAnyByteReachesTheDestination()
    {
        MdevUuid source = RunningSource("version=3");
        Assert.True((await SaveToFile(source)).Succeeded);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type, "version=2");
        _host.Mutate(destination, nic => nic.Counter = 1234);

        // The destination has run (E6041 without --force); forced past that, the header is still checked first.
        await using FileStream input = File.OpenRead(_file);
        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination), input, new MigrationOptions { Force = true });

        Assert.Equal(ErrorCode.StreamHeaderMismatch, loaded.Error);
        Assert.Equal("rss", loaded.Exception!.Parameter);
        // The destination never entered RESUMING: its own state is intact.
        Assert.Equal(1234UL, _host.Snapshot(destination).Counter);
        Assert.DoesNotContain(destination, _host.RunningDevices());
    }

    [Fact]
    public async Task CorruptedByteInTransit_FailsTheCrc_ResetsTheDestination_ThenResumeRestoresTheSource()
    {
        MdevUuid source = RunningSource();
        NicSnapshot before = _host.Snapshot(source);
        Assert.True((await SaveToFile(source)).Succeeded);
        byte[] bytes = await File.ReadAllBytesAsync(_file);
        bytes[bytes.Length / 2] ^= 0x01;
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);

        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination), new MemoryStream(bytes));

        Assert.Equal(ErrorCode.StreamCrc, loaded.Error);
        Assert.Equal(MigrationState.Stop, loaded.DestinationState);
        Assert.Empty(_host.RunningDevices());

        // The whole stream was written, so the source is "moved away": the operator, who saw the load fail, forces it.
        Assert.Equal(ErrorCode.StateMovedAway, new MigrationOrchestrator().Resume(new MigrationSource(_host.Migration, source)).Error);
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(new MigrationSource(_host.Migration, source), force: true);

        Assert.True(resumed.Succeeded, resumed.ToString());
        Assert.Equal([source], _host.RunningDevices());
        Assert.Equal(before, _host.Snapshot(source));
    }

    [Fact]
    public async Task TruncatedStream_IsNamedAndTheDestinationIsReset()
    {
        MdevUuid source = RunningSource();
        Assert.True((await SaveToFile(source)).Succeeded);
        byte[] bytes = await File.ReadAllBytesAsync(_file);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);

        MigrationOutcome loaded = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination),
            new MemoryStream(bytes, 0, bytes.Length - 5));

        Assert.Equal(ErrorCode.StreamTruncated, loaded.Error);
        Assert.Equal(MigrationState.Stop, _host.StateOf(destination));
        Assert.Equal(0UL, _host.Snapshot(destination).Counter);
    }

    [Fact]
    public async Task SaveOfAStoppedSource_IsAConflict_AndResumeOfARunningOneToo()
    {
        MdevUuid source = RunningSource();
        Assert.True((await SaveToFile(source)).Succeeded);

        MigrationOutcome again = await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), new MemoryStream());
        Assert.Equal(ErrorCode.DeviceStateConflict, again.Error);
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));

        Assert.Equal(ErrorCode.StateMovedAway, new MigrationOrchestrator().Resume(new MigrationSource(_host.Migration, source)).Error);
        Assert.True(new MigrationOrchestrator().Resume(new MigrationSource(_host.Migration, source), force: true).Succeeded);
        MigrationOutcome twice = new MigrationOrchestrator().Resume(new MigrationSource(_host.Migration, source));
        Assert.Equal(ErrorCode.DeviceStateConflict, twice.Error);
    }

    [Fact]
    public async Task FailedSave_LeavesTheSourceRunning()
    {
        MdevUuid source = RunningSource();
        NicSnapshot before = _host.Snapshot(source);
        _host.Faults.Set(source, new Vfio.Emulation.EmulatedFaults { ErrorOnArc = new Vfio.Migration.StateArc(MigrationState.PreCopy, MigrationState.StopCopy) });

        MigrationOutcome saved = await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), new MemoryStream());

        Assert.Equal(ErrorCode.DeviceInErrorState, saved.Error);
        Assert.Equal(MigrationState.Running, saved.SourceState);
        Assert.Equal([source], _host.RunningDevices());
        Assert.NotEqual(before.Counter, _host.Snapshot(source).Counter);
    }

    [Fact]
    public async Task LoadIntoADestinationThatHasRun_IsRefusedBeforeAnythingMoves_AndForceLoadsItLogged()
    {
        MdevUuid source = RunningSource("version=2,rx-filter-size=12");
        Assert.True((await SaveToFile(source)).Succeeded);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type, "version=2,rx-filter-size=12");
        _host.Mutate(destination, nic => nic.Counter = 41);
        NicSnapshot running = _host.Snapshot(destination);
        Assert.Equal(MigrationState.Running, running.State);

        MigrationOutcome refused;
        await using (FileStream input = File.OpenRead(_file))
        {
            refused = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination), input);
            Assert.Equal(0, input.Position);
        }

        Assert.Equal(ErrorCode.DestinationHasRun, refused.Error);
        Assert.Equal(running, _host.Snapshot(destination));
        Assert.Empty(refused.Overridden);

        MigrationOutcome forced;
        await using (FileStream input = File.OpenRead(_file))
        {
            forced = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination), input, new MigrationOptions { Force = true });
        }

        Assert.True(forced.Succeeded, forced.ToString());
        Assert.Equal(ErrorCode.DestinationHasRun, Assert.Single(forced.Overridden).Code);
        Assert.Equal(9UL, _host.Snapshot(destination).Counter);
        Assert.Contains($"load --force {destination}: forced past E6041 destination-has-run", File.ReadAllText(new MigrationJournal(_host.Host.Sysfs.Layout.Root.FullPath).LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadOfABadStreamIntoADestinationThatHasRun_ReportsTheDestinationNotTheStream_AndLeavesItRunning()
    {
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Mutate(destination, nic => nic.Counter = 5);
        NicSnapshot running = _host.Snapshot(destination);

        MigrationOutcome refused = await new MigrationOrchestrator().LoadAsync(MigrationDestination.Existing(_host.Migration, destination), new MemoryStream([1, 2, 3]));

        Assert.Equal(ErrorCode.DestinationHasRun, refused.Error);
        Assert.Equal(MigrationState.Running, refused.DestinationState);
        Assert.Equal(running, _host.Snapshot(destination));
    }
}
