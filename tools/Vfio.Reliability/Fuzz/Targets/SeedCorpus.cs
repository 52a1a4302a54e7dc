using System.Text;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Sdk;

namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>
/// Valid inputs written by the project's own writers from the sample devices, so that mutations start deep inside
/// each format: a NIC's real saved state and migration stream, its capability documents, its configurations.
/// </summary>
internal static class SeedCorpus
{
    /// <summary>The NIC configurations the seeds are taken from (each one a destination the stream targets accept).</summary>
    public static readonly string[] NicConfigurations = ["version=3", "version=1", "version=2,rx-filter-size=64", "rss=on", ""];

    private static readonly Lazy<IReadOnlyList<byte[]>> NicStatesLazy = new(() =>
        [.. Enumerable.Range(0, 4).Select(i => SavedState(NicImplementations.Current, "version=3", i))]);

    private static readonly Lazy<IReadOnlyList<byte[]>> OldNicStatesLazy = new(() =>
        [.. Enumerable.Range(0, 3).Select(i => SavedState(NicImplementations.Old, "version=2", i))]);

    private static readonly Lazy<IReadOnlyList<byte[]>> OtherNicStatesLazy = new(() =>
        [.. NicConfigurations.Skip(1).Select((c, i) => SavedState(NicImplementations.Current, c, i + 5))]);

    private static readonly Lazy<IReadOnlyList<byte[]>> SerialStatesLazy = new(() =>
    [
        SavedState(SerialImplementations.SinglePort, "", 0),
        SavedState(SerialImplementations.DualPort, "", 1),
    ]);

    private static readonly Lazy<IReadOnlyList<byte[]>> StreamsLazy = new(BuildStreams);

    /// <summary>Saved states (device-state containers) of current NICs in version=3 after some traffic.</summary>
    public static IReadOnlyList<byte[]> NicStates => NicStatesLazy.Value;

    /// <summary>Saved states of old-build NICs in version=2 (the v1 region build).</summary>
    public static IReadOnlyList<byte[]> OldNicStates => OldNicStatesLazy.Value;

    /// <summary>Saved states of current NICs in the other seed configurations.</summary>
    public static IReadOnlyList<byte[]> OtherNicStates => OtherNicStatesLazy.Value;

    /// <summary>Saved states of the serial sample (one and two ports).</summary>
    public static IReadOnlyList<byte[]> SerialStates => SerialStatesLazy.Value;

    /// <summary>Complete migration streams: NIC data through the STOP_COPY session, in small and large chunks.</summary>
    public static IReadOnlyList<byte[]> Streams => StreamsLazy.Value;

    /// <summary>UTF-8 bytes of each text.</summary>
    public static IReadOnlyList<byte[]> Utf8(params IEnumerable<string> texts) => texts.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>The migration info document (type capability JSON) of every sample model.</summary>
    public static string MigrationInfoJson(params ModelDescription[] models) => new MigrationInfo(models).ToJson();

    /// <summary>A host capabilities document with two parents and the NIC and serial types.</summary>
    public static string HostCapabilitiesJson() => new HostCapabilities("host-a",
    [
        new ParentCapabilities("0000:00:05.0", [new TypeCapabilities("my-nic", new MigrationInfo([NicModel.Current]), 4)]),
        new ParentCapabilities("mtty", [new TypeCapabilities("mtty-2", new MigrationInfo([SerialModel.DualPort, NicModel.Old]), 0)]),
    ]).ToJson();

    // The state as the device's save code writes it through a real migration (STOP_COPY data session), not just
    // ExportState: the same bytes a destination receives.
    private static byte[] SavedState(DeviceImplementation implementation, string configuration, int seed)
    {
        DeviceConfiguration config = DeviceConfiguration.Parse(implementation.Model, configuration);
        var backend = (MigratableDevice)implementation.Create("seed-src", config);
        using (backend)
        using (var device = new Vfio.Emulation.EmulatedVfioDevice("seed-src", backend, implementation.Protocol, implementation.Features))
        {
            if (backend is NicDevice nic)
            {
                nic.SimulateTraffic(seed, packets: 50 + 40 * seed);
            }
            else if (backend is SerialDevice serial)
            {
                serial.WriteRegister(0, 0, (byte)('a' + seed));
            }
            MigrationDriver driver = MigrationDriver.Open(device);
            using MigrationDataStream data = driver.TransitionTo(MigrationState.StopCopy)
                ?? throw new InvalidOperationException("STOP_COPY opened no data session");
            using var all = new MemoryStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = data.TryRead(buffer)) > 0)
            {
                all.Write(buffer, 0, n);
            }
            return all.ToArray();
        }
    }

    private static List<byte[]> BuildStreams()
    {
        DeviceConfiguration v3 = DeviceConfiguration.Parse(NicModel.Current, "version=3");
        DeviceConfiguration v1 = DeviceConfiguration.Parse(NicModel.Current, "version=1");
        return
        [
            Envelope(MigrationStreamHeader.For(v3, "nic-src"), NicStates[0], chunkSize: 65536),
            Envelope(MigrationStreamHeader.For(v3, "nic-src"), NicStates[1], chunkSize: 1000),
            Envelope(MigrationStreamHeader.For(v3, "nic-src"), NicStates[2], chunkSize: 64),
            Envelope(MigrationStreamHeader.For(v1, "nic-v1"), OtherNicStates[0], chunkSize: 4096),
            // An empty device state (a zero-chunk stream) and a configuration the destinations refuse (header mismatch).
            Envelope(MigrationStreamHeader.For(v3, "nic-empty"), [], 4096),
            Envelope(new MigrationStreamHeader(NicModel.Id, "rx-filter-size=7", "nic-odd"), NicStates[0].AsSpan(0, 100).ToArray(), 64),
        ];
    }

    /// <summary>A complete envelope around <paramref name="data"/>, written by <see cref="MigrationStreamWriter"/>.</summary>
    public static byte[] Envelope(MigrationStreamHeader header, byte[] data, int chunkSize)
    {
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, header, chunkSize);
        writer.Write(data);
        writer.Complete();
        return output.ToArray();
    }

    /// <summary>The device-state schema JSON of the sample NIC and serial devices.</summary>
    public static IReadOnlyList<string> SchemaJson()
    {
        using var nic = new NicDevice("schema", DeviceConfiguration.Parse(NicModel.Current, "version=3"), NicBuild.Current);
        using var old = new NicDevice("schema", DeviceConfiguration.Parse(NicModel.Old, "version=1"), NicBuild.Old);
        using var serial = (MigratableDevice)SerialImplementations.DualPort.Create("schema", DeviceConfiguration.FromInit(SerialModel.DualPort));
        return [nic.ExportSchema().ToJson(), old.ExportSchema().ToJson(), serial.ExportSchema().ToJson()];
    }

    /// <summary>The schema the schema target compares every parsed schema against.</summary>
    public static DeviceStateSchema ReferenceSchema { get; } = DeviceStateSchema.FromJson(SchemaJson()[0]);
}
