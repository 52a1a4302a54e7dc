using Vfio.Manager.Emulation;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Samples.OperatorService;

namespace Vfio.Tests.Manager.Library;

/// <summary>The library sample (samples/OperatorService): check + migrate between two emulated hosts, no CLI.</summary>
public sealed class OperatorServiceSampleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("operator-sample-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Sample_checks_then_moves_the_nic_state_to_a_new_device_on_the_other_host_and_reports_progress()
    {
        var output = new StringWriter();

        DemoResult result = await Demo.RunAsync(_root, output);

        Assert.True(result.Report.Check.IsCompatible, string.Join("; ", result.Report.Check.Problems));
        MigrationOutcome outcome = Assert.IsType<MigrationOutcome>(result.Report.Outcome);
        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.True(outcome.DestinationCreated);
        Assert.Equal(Demo.DestinationDevice, outcome.Destination);
        Assert.Equal(MigrationState.Running, outcome.DestinationState);
        Assert.Equal(MigrationState.Stop, outcome.SourceState);
        // What moved: every state field the source had, traffic counters included, is the destination's now.
        Assert.NotNull(result.DestinationStateAfter);
        Assert.Equal(result.SourceStateBefore.OrderBy(kv => kv.Key), result.DestinationStateAfter!.OrderBy(kv => kv.Key));
        Assert.Contains(result.SourceStateBefore, kv => kv.Key.Contains("rx", StringComparison.OrdinalIgnoreCase) && kv.Value != "0");
        // Progress events arrive in order, end with Finished, and their bytes never go back.
        Assert.Equal(MigrationPhase.Checking, result.Events[0].Phase);
        Assert.Equal(MigrationPhase.Finished, result.Events[^1].Phase);
        Assert.Contains(result.Events, e => e.Phase == MigrationPhase.CreatingDestination);
        Assert.Contains(result.Events, e => e.Phase == MigrationPhase.Switchover);
        Assert.Equal(outcome.Bytes, result.Events[^1].Bytes);
        Assert.True(outcome.Bytes > 0);
        Assert.Equal(result.Events.Select(e => e.Bytes).Order(), result.Events.Select(e => e.Bytes));
        Assert.Contains("progress: Switchover", output.ToString(), StringComparison.Ordinal);
        // Exactly one side runs, and the journal holds nothing.
        Assert.Empty(new MigrationJournal(Path.Join(_root, "host-a")).List());
        Assert.NotNull(new MigrationJournal(Path.Join(_root, "host-a")).FindMoved(Demo.SourceDevice));
    }

    [Fact]
    public async Task Sample_service_stops_at_a_refused_check_and_moves_nothing()
    {
        MigrationEndpoint host = Demo.OpenHost(Path.Join(_root, "host-a"));
        MdevUuid source = Create(host, "version=3");
        MdevUuid destination = Create(host, "version=2");
        var events = new List<MigrationProgress>();
        var service = new MigrationService(new MigrationOrchestrator(), new ProgressEvents(events.Add));

        MoveReport report = await service.MoveAsync(new MigrationSource(host, source), MigrationDestination.Existing(host, destination));

        Assert.False(report.Moved);
        Assert.Null(report.Outcome);
        Assert.False(report.Check.IsCompatible);
        Assert.NotEmpty(report.Check.Problems);
        Assert.All(report.Check.Problems, p => Assert.InRange((int)p.Code, 3000, 3999));
        Assert.Empty(events);
        var sysfs = (EmulatedSysfs)host.Tree.Sysfs;
        Assert.False(sysfs.IsOpened(source));
        Assert.False(sysfs.IsOpened(destination));
    }

    [Fact]
    public async Task Sample_hand_off_saves_and_loads_through_one_stream_then_retires_the_source()
    {
        MigrationEndpoint a = Demo.OpenHost(Path.Join(_root, "host-a"));
        MigrationEndpoint b = Demo.OpenHost(Path.Join(_root, "host-b"));
        MdevUuid source = Create(a, "version=3");
        var events = new List<MigrationProgress>();
        var service = new MigrationService(new MigrationOrchestrator(), new ProgressEvents(e => { lock (events) { events.Add(e); } }));

        HandOffReport report = await service.HandOffAsync(new MigrationSource(a, source), MigrationDestination.NewDevice(b, Demo.Parent, Demo.Type, source));

        Assert.True(report.Moved, $"{report.Save} / {report.Load} / {report.Ending}");
        Assert.True(report.Save.Bytes > 0);
        Assert.Equal(MigrationState.Running, report.Load.DestinationState);
        Assert.Equal(MigrationState.Stop, report.Ending.DestinationState);
        Assert.Contains(events, e => e.Phase == MigrationPhase.Switchover || e.Phase == MigrationPhase.Finished);
        // Exactly one side runs: the retired source is not resumed without force.
        MigrationOutcome resumed = new MigrationOrchestrator().Resume(new MigrationSource(a, source));
        Assert.Equal(Vfio.Errors.ErrorCode.StateMovedAway, resumed.Error);
    }

    [Fact]
    public async Task Sample_hand_off_into_a_device_that_cannot_load_the_state_runs_the_source_again()
    {
        MigrationEndpoint a = Demo.OpenHost(Path.Join(_root, "host-a"));
        MigrationEndpoint b = Demo.OpenHost(Path.Join(_root, "host-b"));
        MdevUuid source = Create(a, "version=3");
        MdevUuid other = Create(b, "version=2");
        var service = new MigrationService(new MigrationOrchestrator(), new ProgressEvents(_ => { }));

        HandOffReport report = await service.HandOffAsync(new MigrationSource(a, source), MigrationDestination.Existing(b, other));

        Assert.False(report.Moved);
        Assert.False(report.Load.Succeeded);
        Assert.Equal(Vfio.Errors.ErrorCode.StreamHeaderMismatch, report.Load.Error);
        Assert.True(report.Ending.Succeeded, report.Ending.ToString());
        Assert.Equal(MigrationState.Running, report.Ending.SourceState);
        Assert.NotEqual(MigrationState.Running, report.Load.DestinationState);
    }

    private static MdevUuid Create(MigrationEndpoint host, string configuration)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        var model = host.Tree.GetSupportedType(Demo.Parent, Demo.Type).Migration!.DefaultModel;
        host.Tree.Create(Demo.Parent, Demo.Type, uuid, Vfio.DeviceModels.DeviceConfiguration.Parse(model, configuration));
        return uuid;
    }
}
