using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager.Migration;

public sealed class MigrateTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    private MdevUuid RunningSource(MdevTypeName type, string configuration = "version=3")
    {
        MdevUuid source = _host.CreateDevice(type, configuration);
        _host.Mutate(source, nic =>
        {
            nic.Counter = 41;
            nic.Mac = "52:54:00:12:34:56";
            nic.RssKey = [1, 2, 3, 4];
            nic.Ring.AsSpan(100, 50).Fill(0x5A);
        });
        return source;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task V2ToV2_ExistingDestination_MovesEveryFieldAndOnlyTheDestinationRuns(bool preCopy)
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        NicSnapshot before = _host.Snapshot(source);
        var phases = new List<MigrationPhase>();

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination),
            new MigrationOptions { UsePreCopy = preCopy }, new InlineProgress(p => phases.Add(p.Phase)));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(MigrationState.Running, outcome.DestinationState);
        Assert.Equal(MigrationState.Stop, outcome.SourceState);
        Assert.Equal(before with { State = MigrationState.Running }, _host.Snapshot(destination));
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));
        Assert.Equal([destination], _host.RunningDevices());
        Assert.Equal(preCopy, phases.Contains(MigrationPhase.PreCopy));
        Assert.Equal(preCopy ? 1 : 0, outcome.PreCopyIterations);
        Assert.True(outcome.Bytes > TestNic.RingSize, $"{outcome.Bytes} bytes moved");
    }

    [Fact]
    public async Task V1ToV1_MovesEveryField()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V1Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V1Type);
        NicSnapshot before = _host.Snapshot(source);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination));

        Assert.True(outcome.Succeeded, outcome.ToString());
        // v1 has SAVING|RUNNING, so pre-copy runs over the migration region too.
        Assert.Equal(1, outcome.PreCopyIterations);
        Assert.Equal(before with { State = MigrationState.Running }, _host.Snapshot(destination));
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));
    }

    [Fact]
    public async Task BetweenTwoHosts_TheNewDestinationLivesOnTheOtherHost()
    {
        using var other = new EmulatedMigrationHost();
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        NicSnapshot before = _host.Snapshot(source);
        var destination = MigrationDestination.NewDevice(other.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination);

        Assert.True(outcome.Succeeded, outcome.ToString());
        MdevUuid created = destination.NewDeviceUuid!.Value;
        Assert.False(_host.Exists(created));
        Assert.Equal(before with { State = MigrationState.Running }, other.Snapshot(created));
        Assert.Empty(_host.RunningDevices());
        Assert.Equal([created], other.RunningDevices());
    }

    [Fact]
    public async Task NewDestination_IsCreatedWithTheSourcesExactConfiguration()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type, "version=2,rx-filter-size=7");
        NicSnapshot before = _host.Snapshot(source);
        var destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.True(outcome.DestinationCreated);
        MdevUuid created = destination.NewDeviceUuid!.Value;
        Assert.Equal(_host.Host.ReadConfiguration(source), _host.Host.ReadConfiguration(created));
        Assert.Equal("7", _host.Host.ReadConfiguration(created)["rx-filter-size"]);
        // rss was off at the source (version 2), so the key is not part of its state and stays empty.
        Assert.Equal(before with { State = MigrationState.Running }, _host.Snapshot(created));
    }

    [Fact]
    public async Task PreCopy_ResendsWhatTheGuestDirtiesAndStopsAtTheRoundLimit()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        NicSnapshot before = _host.Snapshot(source);
        var rounds = new List<int>();
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == MigrationPhase.PreCopy)
            {
                rounds.Add(p.Iteration);
                // The guest keeps running during pre-copy and writes into the ring after every round.
                _host.Recording.Nic(source).Traffic((byte)(0x10 + p.Iteration));
            }
        });

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination),
            new MigrationOptions { MaxPreCopyIterations = 3, DirtyBytesThreshold = 0 }, progress);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal([1, 2, 3], rounds);
        NicSnapshot moved = _host.Snapshot(destination);
        Assert.Equal(41UL + 3, moved.Counter);
        // The last traffic (after round 3) reached the destination: it holds exactly what the stopped source holds.
        Assert.Equal(_host.Snapshot(source) with { State = MigrationState.Running }, moved);
        Assert.NotEqual(before.Ring, moved.Ring);
        // The ring went once in full and again after each of the first two rounds' traffic; the third is in stop-copy.
        Assert.True(outcome.Bytes > 3 * TestNic.RingSize, $"{outcome.Bytes} bytes moved");
    }

    [Fact]
    public async Task SecondProcess_SeesTheResultOfTheFirst()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        NicSnapshot before = _host.Snapshot(source);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination));

        Assert.True(outcome.Succeeded, outcome.ToString());
        using EmulatedMigrationHost other = _host.Reopen();
        Assert.Equal(MigrationState.Stop, other.Snapshot(source).State);
        Assert.Equal(before with { State = MigrationState.Running }, other.Snapshot(destination));
    }

    [Fact]
    public async Task MigrateToAnExistingDestinationThatHasRun_IsRefusedBeforeAnythingMoves_AndForceMigratesItLogged()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        NicSnapshot sourceBefore = _host.Snapshot(source);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Mutate(destination, nic => nic.Counter = 7);
        NicSnapshot running = _host.Snapshot(destination);
        Assert.Equal(MigrationState.Running, running.State);

        MigrationOutcome refused = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination));

        // Refused like load (E6041): the destination keeps running its own state, the source runs on, no journal is left.
        Assert.Equal(ErrorCode.DestinationHasRun, refused.Error);
        Assert.Contains("migrate --force", refused.Exception!.Message, StringComparison.Ordinal);
        Assert.Equal(MigrationState.Running, refused.SourceState);
        Assert.Equal(MigrationState.Running, refused.DestinationState);
        Assert.Equal(0, refused.Bytes);
        Assert.Equal(running, _host.Snapshot(destination));
        Assert.Equal(sourceBefore, _host.Snapshot(source));
        Assert.Empty(refused.Overridden);
        Assert.Empty(new MigrationJournal(_host.Root).List());
        Assert.Null(new MigrationJournal(_host.Root).FindMoved(source));

        MigrationOutcome forced = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination), new MigrationOptions { Force = true });

        Assert.True(forced.Succeeded, forced.ToString());
        Assert.Equal(ErrorCode.DestinationHasRun, Assert.Single(forced.Overridden).Code);
        Assert.Equal(sourceBefore with { State = MigrationState.Running }, _host.Snapshot(destination));
        Assert.Equal(MigrationState.Stop, _host.StateOf(source));
        Assert.Equal([destination], _host.RunningDevices());
        Assert.Contains($"migrate --force {destination}: forced past E6041 destination-has-run", File.ReadAllText(new MigrationJournal(_host.Root).LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateToAnExistingDestinationThatIsStopped_NeedsNoForce()
    {
        MdevUuid source = RunningSource(EmulatedMigrationHost.V2Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MdevUuid other = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        // A device that ran and was migrated away is STOP: it may receive a state again without --force.
        Assert.True((await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, destination), MigrationDestination.Existing(_host.Migration, other))).Succeeded);
        Assert.Equal(MigrationState.Stop, _host.StateOf(destination));

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Overridden);
        Assert.Equal(MigrationState.Running, _host.StateOf(destination));
    }
}
