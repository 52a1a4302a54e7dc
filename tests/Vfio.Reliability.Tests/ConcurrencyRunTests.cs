using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Reliability.Concurrency;

namespace Vfio.Tests.Reliability;

/// <summary>The concurrency run at CI size: worker processes on one emulated host, then the verifier finds nothing.</summary>
public sealed class ConcurrencyRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("concurrency-run-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SmallRun_SixProcessesOnOneHost_VerifierFindsNothing()
    {
        // 40 operations each: with 25, whether any create met an exhausted type depended on how the six processes
        // interleaved (a fresh-clone CI run once had none), and the collision below is part of what is proven.
        var options = new ConcurrencyOptions { Root = Path.Join(_root, "run"), Processes = 6, Operations = 40, Seed = 42, CliPercent = 10 };

        ConcurrencyReport report = ConcurrencyRun.Execute(options, TextWriter.Null);

        Assert.True(report.Findings.Count == 0, report.Summary());
        Assert.Equal(6 * 40, report.Records.Count);
        Assert.Contains(report.Records, r => r.Via == "cli" && r.Succeeded);
        // The workers really collided: some creates ran into the exhausted types or the shared pool.
        Assert.Contains(report.Records, r => r.Outcome == ErrorCatalogue.Id(ErrorCode.NoInstancesAvailable));
        foreach (string operation in new[] { "create", "stop", "define", "modify", "undefine", "start", "open" })
        {
            Assert.Contains(report.Records, r => r.Operation == operation && r.Succeeded && r.Uuid is not null);
        }
    }

    [Fact]
    public void Run_RefusesANonEmptyRoot_AndBadOptions()
    {
        File.WriteAllText(Path.Join(_root, "something"), "x");
        Assert.Throws<IOException>(() => ConcurrencyRun.Execute(new ConcurrencyOptions { Root = _root }, TextWriter.Null));
        Assert.Equal(64, ConcurrencyRun.Run(["--processes", "0"]));
        Assert.Equal(64, ConcurrencyRun.Run(["--no-such-option", "1"]));
        Assert.Equal(64, ConcurrencyRun.Run(["--worker", "1"]));
    }
}

/// <summary>The verifier catches what it exists to catch, on a host changed behind the logs' back.</summary>
public sealed class ConcurrencyVerifierTests : IDisposable
{
    private static readonly ConcurrencyType Nic = ConcurrencyHost.Types[0];
    private readonly string _root = Directory.CreateTempSubdirectory("concurrency-verifier-test-").FullName;
    private readonly MdevHost _host;
    private readonly MdevDefinitions _definitions;
    private readonly List<OperationRecord> _records = [];
    private long _clock;

    public ConcurrencyVerifierTests()
    {
        ConcurrencyHost.Create(_root);
        _host = ConcurrencyHost.Open(_root).Tree;
        _definitions = new MdevDefinitions(_host, new DefinitionStore(ConcurrencyHost.ConfigRoot(_root)));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void HostMatchingItsLogs_HasNoFindings()
    {
        MdevUuid device = Create(Nic);
        Create(ConcurrencyHost.Types[3]);
        Stop(device);
        MdevDefinition defined = Define("version=2");
        Modify(defined, "version=3");
        Undefine(Define("version=1"));

        Assert.Empty(Verify());
    }

    [Fact]
    public void WrongInstanceCount_IsFound()
    {
        Create(Nic);
        // A lost decrement: the file shows one instance more than capacity minus devices (the count itself is derived
        // from the devices, so the copy a reader of the tree sees is what can go wrong).
        File.WriteAllText(_host.Sysfs.Layout.TypeAvailableInstances(Nic.Parent, Nic.Type).FullPath, $"{Nic.Capacity}\n");

        Assert.Contains(Verify(), f => f.Kind == "count" && f.Detail.Contains(Nic.Type.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void SharedPoolOutOfStepWithItsDevices_IsFound()
    {
        Create(ConcurrencyHost.Types[3]);
        string pool = Path.Join(_root, "var", "lib", "vfio-emu", "pools", ConcurrencyHost.SerialParent.Value);
        File.WriteAllText(pool, File.ReadAllText(pool).Replace($"free {ConcurrencyHost.SerialPorts - 2}", $"free {ConcurrencyHost.SerialPorts - 1}", StringComparison.Ordinal));

        Assert.Contains(Verify(), f => f.Kind == "count" && f.Detail.Contains("held by devices", StringComparison.Ordinal));
    }

    [Fact]
    public void TornDefinition_IsFound()
    {
        MdevDefinition defined = Define("version=2");
        string file = _definitions.Store.PathOf(defined.Parent, defined.Uuid);
        string content = File.ReadAllText(file);
        File.WriteAllText(file, content[..(content.Length / 2)]);

        Assert.Contains(Verify(), f => f.Kind == "definition" && f.Detail.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public void LostDefinition_IsFound()
    {
        MdevDefinition defined = Define("version=2");
        File.Delete(_definitions.Store.PathOf(defined.Parent, defined.Uuid));

        Assert.Contains(Verify(), f => f.Kind == "definition" && f.Detail.Contains("lost", StringComparison.Ordinal));
    }

    [Fact]
    public void DefinitionHoldingAnOverwrittenWrite_IsFound()
    {
        MdevDefinition defined = Define("version=2");
        string file = _definitions.Store.PathOf(defined.Parent, defined.Uuid);
        string first = File.ReadAllText(file);
        Modify(defined, "version=3");
        // The later modify's write lost to the earlier one (no lock around the store).
        File.WriteAllText(file, first);

        Assert.Contains(Verify(), f => f.Kind == "definition" && f.Detail.Contains("not its last", StringComparison.Ordinal));
    }

    [Fact]
    public void DeviceNoLogAccountsFor_AndStrayTemporaryFile_AndUnexpectedError_AreFound()
    {
        _host.Create(Nic.Parent, Nic.Type, MdevUuid.NewUuid());
        File.WriteAllText(Path.Join(_root, "var", "lib", "vfio-emu", ".last_iommu_group.1.abc.tmp"), "{");
        _records.Add(new OperationRecord(0, _records.Count, "stop", "lib", MdevUuid.NewUuid().ToString(), ++_clock, ++_clock, ErrorCatalogue.Id(ErrorCode.KernelCallFailed), Detail: "raced"));

        List<Finding> findings = Verify();

        Assert.Contains(findings, f => f.Kind == "device" && f.Detail.Contains("no logged create", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind == "stray-file" && f.Detail.Contains(".last_iommu_group.1.abc.tmp", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind == "operation" && f.Detail.Contains("E1001", StringComparison.Ordinal));
    }

    [Fact]
    public void DeviceGoneWithoutAStop_IsFound()
    {
        MdevUuid device = Create(Nic);
        _host.Remove(device); // not logged

        Assert.Contains(Verify(), f => f.Kind == "device" && f.Detail.Contains("lost device", StringComparison.Ordinal));
    }

    [Fact]
    public void RecordsRoundTripThroughTheirJsonLines()
    {
        var record = new OperationRecord(3, 7, "define", "cli", MdevUuid.NewUuid().ToString(), 10, 20, "ok", "a/b start=manual x=\"1\"", "line\nbreak");
        Assert.Equal(record, OperationRecord.Parse(record.ToJsonLine()));
        Assert.Throws<FormatException>(() => OperationRecord.Parse("{\"worker\": 1"));
    }

    private List<Finding> Verify() => ConcurrencyVerifier.Verify(_root, _records);

    private MdevUuid Create(ConcurrencyType type)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        long start = ++_clock;
        _host.Create(type.Parent, type.Type, uuid);
        Log("create", uuid, start);
        return uuid;
    }

    private void Stop(MdevUuid uuid)
    {
        long start = ++_clock;
        _host.Remove(uuid);
        Log("stop", uuid, start);
    }

    private MdevDefinition Define(string config)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        MdevDefinition definition = Pin(uuid, config);
        long start = ++_clock;
        _definitions.Store.Define(definition);
        Log("define", uuid, start, OperationRecord.Canonical(definition));
        return definition;
    }

    private void Modify(MdevDefinition current, string config)
    {
        MdevDefinition changed = Pin(current.Uuid, config);
        long start = ++_clock;
        _definitions.Store.Modify(changed);
        Log("modify", current.Uuid, start, OperationRecord.Canonical(changed));
    }

    private void Undefine(MdevDefinition current)
    {
        long start = ++_clock;
        _definitions.Store.Undefine(current.Uuid);
        Log("undefine", current.Uuid, start);
    }

    private MdevDefinition Pin(MdevUuid uuid, string config)
    {
        ModelDescription model = _host.GetSupportedType(Nic.Parent, Nic.Type).Migration!.DefaultModel;
        return _definitions.Pinned(uuid, Nic.Parent, Nic.Type, DeviceConfiguration.Parse(model, config));
    }

    private void Log(string operation, MdevUuid uuid, long start, string? definition = null) =>
        _records.Add(new OperationRecord(0, _records.Count, operation, "lib", uuid.ToString(), start, ++_clock, OperationRecord.Ok, definition));
}
