using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Sdk;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// A small test device on the SDK: a counter and a MAC in its core state, an RSS key only when configured with
/// rss=on, and a 16 KiB ring as a bulk section that pre-copy streams and resends when dirtied.
/// </summary>
internal sealed class TestNic : MigratableDevice
{
    public const string ModelId = "test.example/nic";
    public const int RingSize = 16 * 1024;

    public TestNic(string name, DeviceConfiguration configuration, MigrationFeatures features)
        : base(name, configuration, features)
    {
    }

    /// <summary>The current build: versions 1-3, rss since 3.</summary>
    public static ModelDescription Current { get; } = new ModelDescriptionBuilder(ModelId)
        .Int("rx-filter-size", "0-64", off: "0", init: "32", "Receive filter entries", since: "2")
        .Bool("rss", off: "off", init: "on", "Receive side scaling", since: "3")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Version("3", basedOn: "2", ("rss", "on"))
        .Latest("3")
        .Build();

    /// <summary>An old build: versions 1-2, no rss.</summary>
    public static ModelDescription Old { get; } = new ModelDescriptionBuilder(ModelId)
        .Int("rx-filter-size", "0-64", off: "0", init: "32", "Receive filter entries", since: "2")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Latest("2")
        .Build();

    /// <summary>Another model altogether.</summary>
    public static ModelDescription Other { get; } = new ModelDescriptionBuilder("test.example/serial")
        .Version("1")
        .Build();

    public ulong Counter { get; set; }

    public string Mac { get; set; } = "";

    public byte[] RssKey { get; set; } = [];

    public byte[] Ring { get; } = new byte[RingSize];

    protected override IReadOnlyList<string> Sections => ["ring"];

    /// <summary>Guest traffic: changes the ring and the counter while the device runs.</summary>
    public void Traffic(byte value)
    {
        Counter++;
        Ring.AsSpan(0, 1024).Fill(value);
        MarkDirty("ring");
    }

    public static DeviceImplementation Implementation(string id, ModelDescription model, MigrationProtocolKind protocol) =>
        new(id, model, (name, configuration) => new TestNic(name, configuration, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy),
            protocol);

    protected override void SaveState(DeviceStateWriter writer)
    {
        writer.WriteU64("counter", Counter);
        writer.WriteString("mac", Mac);
        if (Configuration.Values.TryGetValue("rss", out string? rss) && rss == "on")
        {
            writer.WriteBytes("rss-key", RssKey);
        }
    }

    protected override void SaveSection(string section, DeviceStateWriter writer) => writer.WriteBytes("data", Ring);

    protected override long EstimateSectionSize(string section) => RingSize + 16;

    protected override void LoadState(DeviceStateReader reader)
    {
        Counter = reader.ReadU64("counter");
        Mac = reader.ReadString("mac");
        RssKey = reader.TryReadBytes("rss-key", out ReadOnlyMemory<byte> key) ? key.ToArray() : [];
        reader.ReadSection("ring").ReadBytes("data").Span.CopyTo(Ring);
    }

    protected override void OnReset()
    {
        Counter = 0;
        Mac = "";
        RssKey = [];
        Array.Clear(Ring);
    }
}
