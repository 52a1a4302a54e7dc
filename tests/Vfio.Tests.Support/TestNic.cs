using System.Globalization;
using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Sdk;

namespace Vfio.Tests.Support;

/// <summary>
/// The test NIC every test project uses: a vendor device on the SDK with a few registers, a counter, a MAC, and receive
/// rings saved as pre-copy sections that are resent when dirtied. Which core fields it saves follows its model
/// (<see cref="TestNicLayout"/>): the design's NIC saves its registers, the migration tests' NIC its counter. It
/// records its hooks and section saves and can be told to fail, to load sections early, to write a field an older
/// build does not know, or to skip an optional one.
/// </summary>
public sealed class TestNic : MigratableDevice
{
    /// <summary>The size of the one ring of a NIC in the <see cref="TestNicLayout.Counter"/> layout: 16 KiB.</summary>
    public const int RingSize = 16 * 1024;

    private readonly byte[][] _rings;

    /// <summary>A NIC with <paramref name="rings"/> rings of <paramref name="ringSize"/> bytes; by default those of its
    /// layout (three of 1000 bytes for <see cref="TestNicLayout.Registers"/>, one of <see cref="RingSize"/> for
    /// <see cref="TestNicLayout.Counter"/>). One ring is named "ring", several "ring0", "ring1", ...</summary>
    public TestNic(string name, DeviceConfiguration configuration, MigrationFeatures features, int? rings = null, int? ringSize = null)
        : base(name, configuration, features)
    {
        Layout = TestNicModels.LayoutOf(Model);
        int count = rings ?? (Layout == TestNicLayout.Registers ? 3 : 1);
        int size = ringSize ?? (Layout == TestNicLayout.Registers ? 1000 : RingSize);
        _rings = Enumerable.Range(0, count).Select(_ => new byte[size]).ToArray();
        RingNames = count == 1 ? ["ring"] : Enumerable.Range(0, count).Select(i => $"ring{i}").ToArray();
    }

    /// <summary>The design's NIC at version 3 (<see cref="TestNicModels.NicV3"/>).</summary>
    public static DeviceConfiguration V3 { get; } = DeviceConfiguration.Parse(TestNicModels.NicV3, "version=3");

    /// <summary>A build of the NIC for an emulated host's catalog: pre-copy capable, on <paramref name="model"/>.</summary>
    public static DeviceImplementation Implementation(string id, ModelDescription model, MigrationProtocolKind protocol) =>
        new(id, model, (name, configuration) => new TestNic(name, configuration, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy),
            protocol);

    /// <summary>The core fields this NIC saves, from its model.</summary>
    public TestNicLayout Layout { get; }

    /// <summary>The rings' section names.</summary>
    public string[] RingNames { get; }

    /// <summary>The rings, each saved as a pre-copy section.</summary>
    public IReadOnlyList<byte[]> Rings => _rings;

    /// <summary>The first ring (the only one in the <see cref="TestNicLayout.Counter"/> layout).</summary>
    public byte[] Ring => _rings[0];

    /// <summary>A register (<see cref="TestNicLayout.Registers"/>).</summary>
    public uint RxHead { get; set; }

    /// <summary>A register (<see cref="TestNicLayout.Registers"/>).</summary>
    public string Label { get; set; } = "";

    /// <summary>The MAC address, as text (both layouts).</summary>
    public string Mac { get; set; } = "";

    /// <summary>A register saved since version 3 (<see cref="TestNicLayout.Registers"/>).</summary>
    public bool Rss { get; set; }

    /// <summary>An optional field: saved, read only when <see cref="ReadsOptionalCounter"/> (<see cref="TestNicLayout.Registers"/>).</summary>
    public ulong DroppedCounter { get; set; }

    /// <summary>The packet counter (<see cref="TestNicLayout.Counter"/>).</summary>
    public ulong Counter { get; set; }

    /// <summary>Saved only when the NIC is configured with rss=on (<see cref="TestNicLayout.Counter"/>).</summary>
    public byte[] RssKey { get; set; } = [];

    /// <summary>Saves an "offload" section since version 4, which a build that does not know it refuses.</summary>
    public bool WriteNewRequiredField { get; set; }

    /// <summary>Whether the load reads the optional rx-dropped counter (<see cref="TestNicLayout.Registers"/>).</summary>
    public bool ReadsOptionalCounter { get; set; } = true;

    /// <summary>How often each section was saved.</summary>
    public Dictionary<string, int> SectionSaves { get; } = [];

    /// <summary>How often the core fields were saved.</summary>
    public int CoreSaves { get; private set; }

    /// <summary>The hooks that ran, in order: "running", "stopped", "reset".</summary>
    public List<string> Hooks { get; } = [];

    /// <summary>Thrown by the stop hook when set.</summary>
    public Exception? FailOnStop { get; set; }

    /// <summary>Loads each ring as it arrives while resuming, not with the core fields.</summary>
    public bool EarlyLoad { get; set; }

    /// <inheritdoc />
    protected override bool LoadsSectionsEarly => EarlyLoad;

    /// <inheritdoc />
    protected override IReadOnlyList<string> Sections => RingNames;

    /// <summary>The device's DMA writes a received packet into a ring: the section becomes dirty.</summary>
    public void Receive(int ring, int offset, byte value)
    {
        _rings[ring][offset] = value;
        MarkDirty(RingNames[ring]);
    }

    /// <summary>Guest traffic: changes the first ring and the counter while the device runs.</summary>
    public void Traffic(byte value)
    {
        Counter++;
        Ring.AsSpan(0, Math.Min(1024, Ring.Length)).Fill(value);
        MarkDirty(RingNames[0]);
    }

    /// <summary>Gives every field and ring values from <paramref name="seed"/>.</summary>
    public void Fill(int seed)
    {
        var random = new Random(seed);
        RxHead = (uint)random.Next();
        Label = $"eth{seed}";
        byte[] mac = new byte[6];
        random.NextBytes(mac);
        Mac = string.Join(':', mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        Rss = true;
        DroppedCounter = 12;
        foreach (byte[] ring in _rings)
        {
            random.NextBytes(ring);
        }
        Counter = (ulong)random.NextInt64();
        RssKey = new byte[16];
        random.NextBytes(RssKey);
    }

    /// <summary>Asserts that this NIC holds what <paramref name="other"/> holds in the fields its layout saves
    /// (not the optional rx-dropped counter) and in every ring.</summary>
    public void AssertSameState(TestNic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Assert.Equal(other.Layout, Layout);
        if (Layout == TestNicLayout.Registers)
        {
            Assert.Equal(other.RxHead, RxHead);
            Assert.Equal(other.Label, Label);
            Assert.Equal(other.Mac, Mac);
            Assert.Equal(other.Rss, Rss);
        }
        else
        {
            Assert.Equal(other.Counter, Counter);
            Assert.Equal(other.Mac, Mac);
            Assert.Equal(other.RssKey, RssKey);
        }
        for (int i = 0; i < _rings.Length; i++)
        {
            Assert.Equal(other.Rings[i], Rings[i]);
        }
    }

    /// <summary>Reads a save session to its end, the way the kernel's data_fd is read in STOP_COPY.</summary>
    public byte[] ReadAll(int piece = 4096)
    {
        using var output = new MemoryStream();
        byte[] buffer = new byte[piece];
        int n;
        while ((n = ((IMigrationBackend)this).ReadData(buffer)) != 0)
        {
            if (n < 0)
            {
                break;
            }
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    /// <inheritdoc />
    protected override void SaveState(DeviceStateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CoreSaves++;
        if (Layout == TestNicLayout.Registers)
        {
            writer.WriteU32("rx-head", RxHead);
            writer.WriteString("label", Label);
            writer.WriteString("mac", Mac);
            writer.WriteBool("rss", Rss, since: "3");
            writer.WriteU64("rx-dropped", DroppedCounter, FieldPresence.Optional);
        }
        else
        {
            writer.WriteU64("counter", Counter);
            writer.WriteString("mac", Mac);
            if (Configuration.Values.TryGetValue("rss", out string? rss) && rss == "on")
            {
                writer.WriteBytes("rss-key", RssKey);
            }
        }
        if (WriteNewRequiredField)
        {
            writer.WriteSection("offload", s => s.WriteU32("tso-segments", 64), since: "4");
        }
    }

    /// <inheritdoc />
    protected override void SaveSection(string section, DeviceStateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        SectionSaves[section] = SectionSaves.GetValueOrDefault(section) + 1;
        writer.WriteBytes("data", _rings[Array.IndexOf(RingNames, section)]);
    }

    /// <inheritdoc />
    protected override long EstimateSectionSize(string section) =>
        Layout == TestNicLayout.Counter ? _rings[Array.IndexOf(RingNames, section)].Length + 16 : base.EstimateSectionSize(section);

    /// <inheritdoc />
    protected override void LoadSection(string section, DeviceStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        reader.ReadBytes("data").Span.CopyTo(_rings[Array.IndexOf(RingNames, section)]);
    }

    /// <inheritdoc />
    protected override void LoadState(DeviceStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (Layout == TestNicLayout.Registers)
        {
            RxHead = reader.ReadU32("rx-head");
            Label = reader.ReadString("label");
            Mac = reader.ReadString("mac");
            Rss = reader.ReadBool("rss");
            if (ReadsOptionalCounter && reader.TryReadU64("rx-dropped", out ulong dropped))
            {
                DroppedCounter = dropped;
            }
        }
        else
        {
            Counter = reader.ReadU64("counter");
            Mac = reader.ReadString("mac");
            RssKey = reader.TryReadBytes("rss-key", out ReadOnlyMemory<byte> key) ? key.ToArray() : [];
        }
        for (int i = 0; i < _rings.Length && !EarlyLoad; i++)
        {
            ReadOnlyMemory<byte> data = reader.ReadSection(RingNames[i]).ReadBytes("data");
            if (data.Length != _rings[i].Length)
            {
                throw new InvalidDataException($"{RingNames[i]} holds {data.Length} bytes, this device has {_rings[i].Length}");
            }
            data.CopyTo(_rings[i]);
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        Hooks.Add("reset");
        RxHead = 0;
        Counter = 0;
        Mac = "";
        RssKey = [];
        foreach (byte[] ring in _rings)
        {
            Array.Clear(ring);
        }
    }

    /// <inheritdoc />
    protected override void OnRunning() => Hooks.Add("running");

    /// <inheritdoc />
    protected override void OnStopped()
    {
        Hooks.Add("stopped");
        if (FailOnStop is not null)
        {
            throw FailOnStop;
        }
    }
}
