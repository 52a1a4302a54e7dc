using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Sdk;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// An emulated host laid out for migration tests: a v2 type and a v1 type running the current TestNic build, an old
/// build's type and another model's type on a second parent. <see cref="Reopen"/> gives a second "process" over the
/// same directory (new sysfs, opener and catalog instances, nothing shared in memory).
/// </summary>
internal sealed class EmulatedMigrationHost : IDisposable
{
    public static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    public static readonly ParentDeviceName OldParent = ParentDeviceName.Parse("0000:00:04.0");
    public static readonly MdevTypeName V2Type = MdevTypeName.Parse("testnic-v2");
    public static readonly MdevTypeName V1Type = MdevTypeName.Parse("testnic-v1");
    public static readonly MdevTypeName OldType = MdevTypeName.Parse("testnic-old");
    public static readonly MdevTypeName OtherType = MdevTypeName.Parse("serial-1");

    private readonly bool _ownsRoot;

    public EmulatedMigrationHost()
        : this(Directory.CreateTempSubdirectory("orchestrator-test-").FullName, layOut: true)
    {
    }

    private EmulatedMigrationHost(string root, bool layOut)
    {
        Root = root;
        _ownsRoot = layOut;
        Catalog = new DeviceImplementationCatalog()
            .Add(TestNic.Implementation("test.example/nic@3", TestNicModels.Current, MigrationProtocolKind.V2Feature))
            .Add(TestNic.Implementation("test.example/nic@3-v1", TestNicModels.Current, MigrationProtocolKind.V1Region))
            .Add(TestNic.Implementation("test.example/nic@2", TestNicModels.Old, MigrationProtocolKind.V2Feature))
            .Add(TestNic.Implementation("test.example/serial@1", TestModels.Serial, MigrationProtocolKind.V2Feature));
        var builder = new EmulatedHostBuilder(root);
        if (layOut)
        {
            builder
                .AddType(Parent, V2Type, "Test NIC", 8, Catalog.Get("test.example/nic@3"))
                .AddType(Parent, V1Type, "Test NIC (v1 region)", 8, Catalog.Get("test.example/nic@3-v1"))
                .AddType(OldParent, OldType, "Test NIC (old driver)", 8, Catalog.Get("test.example/nic@2"))
                .AddType(OldParent, OtherType, "Test serial", 8, Catalog.Get("test.example/serial@1"));
        }
        Sysfs = builder.Build();
        Host = new MdevHost(Sysfs);
        Opener = new EmulatedDeviceOpener(Sysfs, Catalog);
        Recording = new RecordingOpener(Opener);
        Migration = new MigrationEndpoint(Host, Recording);
        Faults = new EmulatedDeviceFaults(Sysfs.Layout);
    }

    public string Root { get; }

    public DeviceImplementationCatalog Catalog { get; }

    public EmulatedSysfs Sysfs { get; }

    public MdevHost Host { get; }

    public EmulatedDeviceOpener Opener { get; }

    public RecordingOpener Recording { get; }

    public MigrationEndpoint Migration { get; }

    public EmulatedDeviceFaults Faults { get; }

    /// <summary>Another process's view of the same host.</summary>
    public EmulatedMigrationHost Reopen() => new(Root, layOut: false);

    public MdevUuid CreateDevice(MdevTypeName type, string configuration = "version=3", ParentDeviceName? parent = null)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        ParentDeviceName p = parent ?? Parent;
        var model = Host.GetSupportedType(p, type).Migration!.DefaultModel;
        Host.Create(p, type, uuid, Vfio.DeviceModels.DeviceConfiguration.Parse(model, configuration));
        return uuid;
    }

    /// <summary>Changes a device's state through an open of it, as a guest would while it runs.</summary>
    public void Mutate(MdevUuid uuid, Action<TestNic> change)
    {
        using IVfioDevice device = Opener.Open(uuid);
        change((TestNic)((PersistentEmulatedDevice)device).Backend);
    }

    public NicSnapshot Snapshot(MdevUuid uuid)
    {
        using IVfioDevice device = Opener.Open(uuid);
        var nic = (TestNic)((PersistentEmulatedDevice)device).Backend;
        return new NicSnapshot(nic.Counter, nic.Mac, Convert.ToHexString(nic.RssKey), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(nic.Ring))[..16], ((IMigrationBackend)nic).State);
    }

    public MigrationState StateOf(MdevUuid uuid) => Opener.PeekMigrationState(uuid);

    public bool Exists(MdevUuid uuid) => Host.FindDevice(uuid) is not null;

    /// <summary>The devices whose persisted state is RUNNING and that have been opened (a never-opened pool device runs nothing).</summary>
    public IReadOnlyList<MdevUuid> RunningDevices() =>
        Host.GetDevices().Select(d => d.Uuid).Where(u => Sysfs.IsOpened(u) && StateOf(u) == MigrationState.Running).ToArray();

    public void Dispose()
    {
        if (_ownsRoot)
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>A device's state, compared field by field.</summary>
internal sealed record NicSnapshot(ulong Counter, string Mac, string RssKey, string Ring, MigrationState State);

/// <summary>An opener that remembers the devices it opened, so a test can act as the guest during a migration.</summary>
internal sealed class RecordingOpener(IDeviceOpener inner) : IDeviceOpener
{
    private readonly Dictionary<MdevUuid, IVfioDevice> _open = [];

    public Func<MdevUuid, IVfioDevice?>? Override { get; set; }

    /// <summary>Faults armed on a device at its next open through this opener (for devices that do not exist yet).</summary>
    public Dictionary<MdevUuid, Vfio.Emulation.EmulatedFaults> FaultsOnOpen { get; } = [];

    public IVfioDevice Open(MdevUuid device)
    {
        IVfioDevice opened = Override?.Invoke(device) ?? inner.Open(device);
        if (FaultsOnOpen.TryGetValue(device, out Vfio.Emulation.EmulatedFaults? faults) && opened is PersistentEmulatedDevice emulated)
        {
            emulated.Emulated.Faults = faults;
        }
        lock (_open)
        {
            _open[device] = opened;
        }
        return opened;
    }

    public TestNic Nic(MdevUuid device)
    {
        lock (_open)
        {
            return (TestNic)((PersistentEmulatedDevice)_open[device]).Backend;
        }
    }
}

/// <summary>Progress delivered synchronously on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class InlineProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
{
    public void Report(MigrationProgress value) => report(value);
}
