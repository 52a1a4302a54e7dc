using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Migration;

public sealed class CancellationTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task CancelDuringPreCopy_IsACleanFailureWithTheSourceRunningAndTheNewDestinationRemoved()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Mutate(source, nic => nic.Counter = 3);
        NicSnapshot before = _host.Snapshot(source);
        var destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == MigrationPhase.PreCopy)
            {
                cancel.Cancel();
            }
        });

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination,
            progress: progress, cancellationToken: cancel.Token);

        Assert.Equal(ErrorCode.MigrationCancelled, outcome.Error);
        Assert.Equal(MigrationState.Running, outcome.SourceState);
        Assert.True(outcome.DestinationRemoved);
        Assert.False(_host.Exists(destination.NewDeviceUuid!.Value));
        Assert.Equal([source], _host.RunningDevices());
        Assert.Equal(before, _host.Snapshot(source));
    }

    [Fact]
    public async Task CancelledBeforeStart_TouchesNothing()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination,
            cancellationToken: new CancellationToken(canceled: true));

        Assert.Equal(ErrorCode.MigrationCancelled, outcome.Error);
        Assert.False(outcome.DestinationCreated);
        Assert.False(_host.Exists(destination.NewDeviceUuid!.Value));
        Assert.False(_host.Sysfs.IsOpened(source));
    }

    [Fact]
    public async Task CancelledSave_LeavesTheSourceRunning()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == MigrationPhase.PreCopy)
            {
                cancel.Cancel();
            }
        });

        MigrationOutcome outcome = await new MigrationOrchestrator().SaveAsync(new MigrationSource(_host.Migration, source), new MemoryStream(),
            progress: progress, cancellationToken: cancel.Token);

        Assert.Equal(ErrorCode.MigrationCancelled, outcome.Error);
        Assert.Equal(MigrationState.Running, _host.StateOf(source));
    }
}
