using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Samples;
using Vfio.Samples.Nic;

namespace Vfio.Tests.Manager.Migration;

/// <summary>The sample NIC between its two builds through the orchestrator: new (v2 protocol) to old (v1 region) and back.</summary>
public sealed class SampleNicMigrationTests : IDisposable
{
    private static readonly ParentDeviceName NewParent = ParentDeviceName.Parse("0000:00:05.0");
    private static readonly ParentDeviceName OldParent = ParentDeviceName.Parse("0000:00:06.0");
    private static readonly MdevTypeName NicType = MdevTypeName.Parse("my-nic");

    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-nic-").FullName;
    private readonly MigrationEndpoint _host;
    private readonly EmulatedDeviceOpener _opener;

    public SampleNicMigrationTests()
    {
        var catalog = SampleCatalog.Create();
        EmulatedSysfs sysfs = new EmulatedHostBuilder(_root)
            .AddType(NewParent, NicType, "NIC (current driver)", 4, NicImplementations.Current)
            .AddType(OldParent, NicType, "NIC (old driver)", 4, NicImplementations.Old)
            .Build();
        _opener = new EmulatedDeviceOpener(sysfs, catalog);
        _host = new MigrationEndpoint(new MdevHost(sysfs), _opener);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private MdevUuid Create(ParentDeviceName parent, string configuration)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        ModelDescription model = _host.Tree.GetSupportedType(parent, NicType).Migration!.DefaultModel;
        _host.Tree.Create(parent, NicType, uuid, DeviceConfiguration.Parse(model, configuration));
        return uuid;
    }

    private NicCounters Counters(MdevUuid uuid)
    {
        using IVfioDevice device = _opener.Open(uuid);
        return ((NicDevice)((PersistentEmulatedDevice)device).Backend).Counters;
    }

    [Fact]
    public async Task NewToOldAndBack_KeepsTheCounters()
    {
        MdevUuid source = Create(NewParent, "version=2");
        using (IVfioDevice device = _opener.Open(source))
        {
            ((NicDevice)((PersistentEmulatedDevice)device).Backend).SimulateTraffic(seed: 4, packets: 300);
        }
        NicCounters before = Counters(source);
        Assert.NotEqual(0UL, before.RxPackets);
        var orchestrator = new MigrationOrchestrator();

        var toOld = MigrationDestination.NewDevice(_host, OldParent, NicType);
        MigrationOutcome there = await orchestrator.MigrateAsync(new MigrationSource(_host, source), toOld);
        Assert.True(there.Succeeded, there.ToString());
        MdevUuid onOld = toOld.NewDeviceUuid!.Value;
        // The old build predates the CRC error counter: the current build saves it as an optional field, which the old
        // build skips (docs/device-state-format.md), so it starts from 0 there and comes back as 0.
        Assert.Equal(before with { RxCrcErrors = 0 }, Counters(onOld));

        var backToNew = MigrationDestination.NewDevice(_host, NewParent, NicType);
        MigrationOutcome back = await orchestrator.MigrateAsync(new MigrationSource(_host, onOld), backToNew);
        Assert.True(back.Succeeded, back.ToString());
        Assert.Equal(before with { RxCrcErrors = 0 }, Counters(backToNew.NewDeviceUuid!.Value));
        Assert.Equal(MigrationState.Stop, _opener.PeekMigrationState(onOld));
    }

    [Fact]
    public async Task RssOnToTheOldDriver_IsRefusedBeforeAnythingMoves()
    {
        MdevUuid source = Create(NewParent, "version=3");

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host, source),
            MigrationDestination.NewDevice(_host, OldParent, NicType));

        Assert.False(outcome.Succeeded);
        Assert.Contains(outcome.Problems, p => p.Parameter == "rss");
        Assert.DoesNotContain(_host.Tree.GetDevices(), d => d.Parent == OldParent);
        Assert.Equal(MigrationState.Running, _opener.PeekMigrationState(source));
    }
}
