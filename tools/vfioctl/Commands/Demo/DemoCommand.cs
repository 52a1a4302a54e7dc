using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Lab;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Demo;

/// <summary>
/// <c>vfioctl demo</c>: the whole design in one run a newcomer can read. Two emulated hosts share the NIC hardware
/// type; host-a runs the new driver (versions 1-3, v2 protocol), host-b the old one (versions 1-2, v1 region).
/// Fixed UUIDs and seeded traffic make the story the same on every run. The story is told once, in order, on stdout:
/// each refusal and rollback is a line of it (the orchestrator's own log lines only with <c>--verbose</c>), and the
/// migrations' progress lines are part of it.
/// </summary>
internal sealed class DemoCommand(ILogger<MigrationOrchestrator> logger, CliConsole console)
{
    private MigrationOrchestrator _orchestrator = new();
    private int _refusals;
    private int _migrations;
    private int _rollbacks;

    public static readonly MdevUuid NewDevice = MdevUuid.Parse("a0000000-0000-4000-8000-000000000003");
    public static readonly MdevUuid CompatDevice = MdevUuid.Parse("a0000000-0000-4000-8000-000000000001");
    public static readonly MdevUuid MovedDevice = MdevUuid.Parse("b0000000-0000-4000-8000-000000000001");
    public static readonly MdevUuid ReturnDevice = MdevUuid.Parse("a0000000-0000-4000-8000-0000000000f1");

    public async Task<int> ExecuteAsync(string? rootOption, bool replace, bool verbose, CancellationToken cancellationToken)
    {
        _orchestrator = new MigrationOrchestrator(verbose ? logger : null);
        string root = rootOption is null ? Directory.CreateTempSubdirectory("vfioctl-demo-").FullName : Path.GetFullPath(rootOption);
        if (rootOption is not null && DemoHosts.Exists(root))
        {
            if (!replace)
            {
                throw CliErrors.DemoExists(root);
            }
            DemoHosts.Remove(root);
        }
        try
        {
            DemoHosts.Create(root);
            await RunStoryAsync(root, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (rootOption is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
        if (rootOption is not null)
        {
            console.Output.WriteLine($"The hosts stay in {root}; try: vfioctl --emulated {DemoHosts.HostB(root)} describe {MovedDevice} --state");
        }
        return ExitCodes.Ok;
    }

    private async Task RunStoryAsync(string root, CancellationToken cancellationToken)
    {
        TextWriter o = console.Output;
        MigrationEndpoint a = Open(DemoHosts.HostA(root));
        MigrationEndpoint b = Open(DemoHosts.HostB(root));
        o.WriteLine("vfioctl demo: migrating a VFIO mediated device between two emulated hosts");

        Step("1. Discover what each host offers (vfioctl types / models)");
        Discover("host-a", a);
        Discover("host-b", b);

        Step("2. Create two NICs on host-a with pinned configurations (vfioctl start -p ... -t ... --config ...)");
        Create(a, NewDevice, "version=3");
        Create(a, CompatDevice, "version=1");

        Step("3. Run them: simulated traffic (vfioctl traffic)");
        Traffic(a, NewDevice, seed: 7);
        Traffic(a, CompatDevice, seed: 11);

        Step("4. Check each against host-b, which runs the old driver (vfioctl check --to-type)");
        var toB = MigrationDestination.NewDevice(b, DemoHosts.Parent, DemoHosts.Type, MovedDevice);
        Check(a, NewDevice, toB);
        Check(a, CompatDevice, toB);

        Step($"5. Migrate {CompatDevice} to host-b (vfioctl migrate --to-type), pre-copy while it runs");
        IReadOnlyDictionary<string, string> before = State(a, CompatDevice);
        MigrationOutcome moved = await Migrate(a, CompatDevice, toB, cancellationToken).ConfigureAwait(false);
        moved.ThrowIfFailed();
        _migrations++;
        o.WriteLine($"   migrated {moved.Bytes} bytes in {moved.PreCopyIterations} pre-copy round(s) and a stop-copy");
        o.WriteLine($"   {CompatDevice} on host-a is {moved.SourceState?.ToString().ToUpperInvariant()}, {MovedDevice} on host-b is {moved.DestinationState?.ToString().ToUpperInvariant()}: only the destination runs now");

        Step("6. Verify the destination's state equals the source's, field by field (vfioctl describe --state)");
        Verify(before, State(b, MovedDevice));

        Step($"7. Inject a fault: cut the data stream after 1000 bytes while moving {MovedDevice} back to host-a (vfioctl fault --cut-after)");
        IReadOnlyDictionary<string, string> running = State(b, MovedDevice);
        new EmulatedDeviceFaults(b.Tree.Sysfs.Layout).Set(MovedDevice, new Vfio.Emulation.EmulatedFaults { CutStreamAfterBytes = 1000 });
        var toA = MigrationDestination.NewDevice(a, DemoHosts.Parent, DemoHosts.Type, ReturnDevice);
        MigrationOutcome failed = await Migrate(b, MovedDevice, toA, cancellationToken).ConfigureAwait(false);
        new EmulatedDeviceFaults(b.Tree.Sysfs.Layout).Clear(MovedDevice);
        string code = failed.Error is ErrorCode c ? $"{ErrorCatalogue.Id(c)} {ErrorCatalogue.Name(c)}" : "no error";
        o.WriteLine($"   refused with {code}: {failed.Exception?.Message}");
        o.WriteLine($"   rolled back: source {MovedDevice} {failed.SourceState?.ToString().ToUpperInvariant()}, destination {(failed.DestinationRemoved ? "removed" : "left " + failed.DestinationState)}");
        bool unchanged = State(b, MovedDevice).SequenceEqual(running);
        o.WriteLine($"   the source kept running with its state {(unchanged ? "unchanged" : "CHANGED")}");
        if (failed.Succeeded || failed.SourceState != Vfio.Devices.MigrationState.Running || !unchanged || a.Tree.FindDevice(ReturnDevice) is not null)
        {
            throw CliErrors.DemoRollbackFailed(failed.ToString());
        }
        _rollbacks++;
        o.WriteLine();
        o.WriteLine($"demo complete: {Count(_refusals, "refusal")} before anything moved, {Count(_migrations, "migration")} with equal state, {Count(_rollbacks, "fault")} rolled back");
    }

    private static string Count(int n, string what) => n == 1 ? $"one {what}" : $"{n} {what}s";

    private void Step(string title)
    {
        console.Output.WriteLine();
        console.Output.WriteLine(title);
    }

    private void Discover(string name, MigrationEndpoint host)
    {
        foreach (MdevParent parent in host.Tree.GetParents())
        {
            foreach (MdevType type in parent.Types)
            {
                ModelDescription model = type.Migration!.DefaultModel;
                string versions = string.Join(", ", model.Versions.Select(v => v.Name));
                string parameters = string.Join(", ", model.Parameters.Select(p => $"{p.Name} {p.AllowedValues.Text}"));
                console.Output.WriteLine($"   {name}: {parent.Name}/{type.Name} runs {model.Id}, versions {versions} (latest {model.LatestVersion}); parameters {parameters}");
            }
        }
    }

    private void Create(MigrationEndpoint host, MdevUuid uuid, string config)
    {
        ModelDescription model = host.Tree.GetSupportedType(DemoHosts.Parent, DemoHosts.Type).Migration!.DefaultModel;
        DeviceConfiguration configuration = DeviceConfiguration.Parse(model, config, uuid.ToString());
        host.Tree.Create(DemoHosts.Parent, DemoHosts.Type, uuid, configuration);
        console.Output.WriteLine($"   host-a: started {uuid} with {config} = [{host.Tree.ReadConfiguration(uuid)}]");
    }

    private void Traffic(MigrationEndpoint host, MdevUuid uuid, int seed)
    {
        LabTrafficCounters counters = LabDevices.SimulateTraffic(host.Opener, uuid, seed, 2000);
        console.Output.WriteLine($"   {uuid}: rx {counters.RxPackets} packets, tx {counters.TxPackets} packets");
    }

    private void Check(MigrationEndpoint host, MdevUuid uuid, MigrationDestination destination)
    {
        CompatibilityResult result = _orchestrator.Check(new MigrationSource(host, uuid), destination);
        if (result.IsCompatible)
        {
            console.Output.WriteLine($"   {uuid} -> host-b: compatible (the old driver runs it as [{result.DestinationConfiguration}])");
            return;
        }
        _refusals++;
        console.Output.WriteLine($"   {uuid} -> host-b: refused before anything moved:");
        foreach (CompatibilityProblem problem in result.Problems)
        {
            console.Output.WriteLine($"     {problem}");
        }
    }

    private Task<MigrationOutcome> Migrate(MigrationEndpoint host, MdevUuid uuid, MigrationDestination destination, CancellationToken cancellationToken) =>
        // The progress lines are part of the story (stdout, indented), in order with the lines around them.
        _orchestrator.MigrateAsync(new MigrationSource(host, uuid), destination, MigrationOptions.Default,
            new ProgressDisplay.QuietLines(console.Output, "   migrate"), cancellationToken);

    private static IReadOnlyDictionary<string, string> State(MigrationEndpoint host, MdevUuid uuid) =>
        StateFields.Read(host.Opener, uuid);

    // Fields both sides keep must be equal. A field only the source has is an optional one the destination's build
    // does not keep (the old NIC build has no rx-crc-errors counter); the load skipped it by design.
    private void Verify(IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> destination)
    {
        var table = Tables.Create("Field", "host-a (source)", "host-b (destination)", "");
        int equal = 0, different = 0, skipped = 0;
        foreach (string field in source.Keys.Union(destination.Keys).Order(StringComparer.Ordinal))
        {
            bool onSource = source.TryGetValue(field, out string? s);
            bool onDestination = destination.TryGetValue(field, out string? d);
            string verdict;
            if (onSource && !onDestination)
            {
                skipped++;
                verdict = "optional, old build lacks it";
            }
            else if (onSource && s == d)
            {
                equal++;
                verdict = "equal";
            }
            else
            {
                different++;
                verdict = "DIFFERENT";
            }
            table.AddRow(Tables.Cells(field, Short(s ?? "(absent)"), Short(d ?? "(absent)"), verdict));
        }
        console.Tables.Write(table);
        console.Output.WriteLine($"   {equal} of {equal + different} shared fields equal; {skipped} optional field(s) the destination's build does not keep");
        if (different != 0)
        {
            throw CliErrors.DemoStateDiffers(different);

        }
    }

    // Never a prefix of the value itself: that would print the first bytes of a hash key or a ring.
    private static string Short(string value) => StateText.Display(value);

    private static MigrationEndpoint Open(string directory) => new EmulatedHost(directory).ToMigrationEndpoint();
}
