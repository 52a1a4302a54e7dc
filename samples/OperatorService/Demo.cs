using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Samples.Nic;
using Vfio.Sdk;

namespace Vfio.Samples.OperatorService;

/// <summary>
/// The sample's story: two emulated hosts with the sample NIC type, a NIC with traffic on host-a, then
/// <see cref="MigrationService.MoveAsync"/> to a new device on host-b, printing each progress event.
/// </summary>
public static class Demo
{
    /// <summary>The parent both hosts offer the NIC type on.</summary>
    public static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");

    /// <summary>The NIC type.</summary>
    public static readonly MdevTypeName Type = MdevTypeName.Parse("mynic-4q");

    /// <summary>The source device on host-a.</summary>
    public static readonly MdevUuid SourceDevice = MdevUuid.Parse("a0000000-0000-4000-8000-00000000c0de");

    /// <summary>The device the migration creates on host-b.</summary>
    public static readonly MdevUuid DestinationDevice = MdevUuid.Parse("b0000000-0000-4000-8000-00000000c0de");

    /// <summary>Lays out host-a and host-b under <paramref name="root"/>, runs the story, and reports what moved.</summary>
    /// <param name="root">An empty directory for the two hosts.</param>
    /// <param name="output">Where the story and the progress events are printed.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>What the move did, with the NIC's state fields on both sides.</returns>
    public static async Task<DemoResult> RunAsync(string root, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        MigrationEndpoint a = OpenHost(Path.Join(root, "host-a"));
        MigrationEndpoint b = OpenHost(Path.Join(root, "host-b"));

        ModelDescription model = a.Tree.GetSupportedType(Parent, Type).Migration!.DefaultModel;
        a.Tree.Create(Parent, Type, SourceDevice, DeviceConfiguration.Parse(model, "version=3", SourceDevice.ToString()));
        NicCounters counters = UseNic(a, SourceDevice, nic =>
        {
            nic.SimulateTraffic(seed: 7, packets: 500);
            return nic.Counters;
        });
        IReadOnlyDictionary<string, string> before = UseNic(a, SourceDevice, nic => nic.DescribeState());
        output.WriteLine($"host-a: {SourceDevice} runs [{a.Tree.ReadConfiguration(SourceDevice)}], rx {counters.RxPackets} packets, tx {counters.TxPackets} packets");

        var events = new List<MigrationProgress>();
        var service = new MigrationService(new MigrationOrchestrator(), new ProgressEvents(e =>
        {
            events.Add(e);
            output.WriteLine($"  progress: {e.Phase} {e.Bytes} bytes{(e.Phase == MigrationPhase.PreCopy ? $", pre-copy round {e.Iteration}" : "")}");
        }));
        MoveReport report = await service.MoveAsync(new MigrationSource(a, SourceDevice),
            MigrationDestination.NewDevice(b, Parent, Type, DestinationDevice), cancellationToken).ConfigureAwait(false);

        output.WriteLine(report.Check.IsCompatible
            ? $"check: compatible, host-b runs it as [{report.Check.DestinationConfiguration}]"
            : $"check: refused, {string.Join("; ", report.Check.Problems)}");
        output.WriteLine($"migrate: {report.Outcome?.ToString() ?? "not attempted"}");
        IReadOnlyDictionary<string, string>? after = report.Moved ? UseNic(b, DestinationDevice, nic => nic.DescribeState()) : null;
        return new DemoResult(report, events, before, after);
    }

    // The NIC's own code, reached through the device the emulated opener returns (a real host has no such door).
    private static T UseNic<T>(MigrationEndpoint endpoint, MdevUuid uuid, Func<NicDevice, T> use)
    {
        using IVfioDevice device = endpoint.Opener.Open(uuid);
        return use((NicDevice)EmulatedDeviceOpener.DeviceCode(device)!);
    }

    /// <summary>An emulated host in <paramref name="directory"/> offering the sample NIC type (laid out when new).</summary>
    /// <param name="directory">The host's root.</param>
    /// <returns>The host as a migration reaches it.</returns>
    public static MigrationEndpoint OpenHost(string directory)
    {
        bool laidOut = Directory.Exists(Path.Join(directory, "sys"));
        var builder = new EmulatedHostBuilder(directory);
        if (!laidOut)
        {
            builder.AddType(Parent, Type, "My NIC, 4 queues", 4, NicImplementations.Current, "vendor-a.com/my-nic sample NIC");
        }
        return MigrationEndpoint.Emulated(builder.Build(), new DeviceImplementationCatalog().Add(NicImplementations.Current));
    }
}

/// <summary>What the sample's story did.</summary>
/// <param name="Report">The check and the migration.</param>
/// <param name="Events">Every progress event, in order.</param>
/// <param name="SourceStateBefore">The source NIC's state fields before the move.</param>
/// <param name="DestinationStateAfter">The destination NIC's state fields after it; null when nothing moved.</param>
public sealed record DemoResult(MoveReport Report, IReadOnlyList<MigrationProgress> Events,
    IReadOnlyDictionary<string, string> SourceStateBefore, IReadOnlyDictionary<string, string>? DestinationStateAfter);
