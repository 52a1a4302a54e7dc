using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Migration;

/// <summary>Steps 1-2 refuse before any device state moves: the source keeps running, untouched, and nothing is created.</summary>
public sealed class CompatibilityRefusalTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    private (MdevUuid Source, NicSnapshot Before) RunningSource(string configuration)
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type, configuration);
        _host.Mutate(source, nic => { nic.Counter = 7; nic.Mac = "aa"; });
        return (source, _host.Snapshot(source));
    }

    [Fact]
    public async Task NewDeviceOnAnOldDriver_RssOn_IsRefusedWithEveryProblemAndNothingCreated()
    {
        (MdevUuid source, NicSnapshot before) = RunningSource("version=3,rx-filter-size=64");
        int devicesBefore = _host.Host.GetDevices().Count;

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source),
            MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.OldParent, EmulatedMigrationHost.OldType));

        Assert.False(outcome.Succeeded);
        CompatibilityProblem_Names(outcome, ErrorCode.ParameterUnknownToDestination, "rss");
        Assert.False(outcome.DestinationCreated);
        Assert.Equal(devicesBefore, _host.Host.GetDevices().Count);
        Assert.Equal(before, _host.Snapshot(source));
        Assert.Equal(MigrationState.Running, _host.StateOf(source));
    }

    [Fact]
    public async Task NewDeviceOfAnotherModel_IsRefusedAsModelMismatch()
    {
        (MdevUuid source, NicSnapshot before) = RunningSource("version=1");

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source),
            MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.OldParent, EmulatedMigrationHost.OtherType));

        Assert.Equal(ErrorCode.ModelMismatch, outcome.Error);
        Assert.Equal(before, _host.Snapshot(source));
        Assert.DoesNotContain(_host.Host.GetDevices(), d => d.Type == EmulatedMigrationHost.OtherType);
    }

    [Fact]
    public async Task ExistingDestinationWithAnotherConfiguration_IsRefusedAndBothAreUntouched()
    {
        (MdevUuid source, NicSnapshot before) = RunningSource("version=3");
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type, "version=2");
        _host.Mutate(destination, nic => nic.Counter = 1000);
        NicSnapshot destinationBefore = _host.Snapshot(destination);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source),
            MigrationDestination.Existing(_host.Migration, destination));

        CompatibilityProblem_Names(outcome, ErrorCode.ConfigurationMismatch, "rss");
        Assert.Equal(before, _host.Snapshot(source));
        Assert.Equal(destinationBefore, _host.Snapshot(destination));
    }

    [Fact]
    public void Check_ReportsEveryProblemWithoutOpeningEitherDevice()
    {
        // Never opened: a check must not open it (opening freezes the configuration).
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type, "version=3,rx-filter-size=64");

        var result = new MigrationOrchestrator().Check(new MigrationSource(_host.Migration, source),
            MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.OldParent, EmulatedMigrationHost.OldType));

        Assert.False(result.IsCompatible);
        Assert.Contains(result.Problems, p => p.Parameter == "rss");
        Assert.False(_host.Sysfs.IsOpened(source));
    }

    private static void CompatibilityProblem_Names(MigrationOutcome outcome, ErrorCode code, string parameter)
    {
        Assert.Equal(code, outcome.Error);
        Assert.Contains(outcome.Problems, p => p.Code == code && p.Parameter == parameter);
        Assert.Contains(parameter, outcome.Exception!.Message, StringComparison.Ordinal);
    }
}
