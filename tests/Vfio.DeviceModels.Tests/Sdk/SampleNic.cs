using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Sdk;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>A test-local vendor device: a NIC with a few registers and receive rings saved as pre-copy sections.</summary>
internal sealed class SampleNic : MigratableDevice
{
    private readonly byte[][] _rings;

    public SampleNic(string name, DeviceConfiguration configuration, MigrationFeatures features, int rings = 3, int ringSize = 1000)
        : base(name, configuration, features)
    {
        _rings = Enumerable.Range(0, rings).Select(_ => new byte[ringSize]).ToArray();
        RingNames = Enumerable.Range(0, rings).Select(i => $"ring{i}").ToArray();
    }

    public static DeviceConfiguration V3 { get; } = DeviceConfiguration.Parse(SampleModels.NicV3, "version=3");

    public string[] RingNames { get; }
    public uint RxHead { get; set; }
    public string Label { get; set; } = "";
    public byte[] Mac { get; set; } = new byte[6];
    public bool Rss { get; set; }
    public bool WriteNewRequiredField { get; set; }
    public bool ReadsOptionalCounter { get; set; } = true;
    public ulong DroppedCounter { get; set; }
    public Dictionary<string, int> SectionSaves { get; } = [];
    public int CoreSaves { get; private set; }
    public List<string> Hooks { get; } = [];
    public Exception? FailOnStop { get; set; }
    public bool EarlyLoad { get; set; }

    protected override bool LoadsSectionsEarly => EarlyLoad;

    protected override void LoadSection(string section, DeviceStateReader reader) =>
        reader.ReadBytes("data").Span.CopyTo(_rings[Array.IndexOf(RingNames, section)]);

    public IReadOnlyList<byte[]> Rings => _rings;

    protected override IReadOnlyList<string> Sections => RingNames;

    /// <summary>The device's DMA writes a received packet into a ring: the section becomes dirty.</summary>
    public void Receive(int ring, int offset, byte value)
    {
        _rings[ring][offset] = value;
        MarkDirty(RingNames[ring]);
    }

    protected override void SaveState(DeviceStateWriter writer)
    {
        CoreSaves++;
        writer.WriteU32("rx-head", RxHead);
        writer.WriteString("label", Label);
        writer.WriteBytes("mac", Mac);
        writer.WriteBool("rss", Rss, since: "3");
        writer.WriteU64("rx-dropped", DroppedCounter, FieldPresence.Optional);
        if (WriteNewRequiredField)
        {
            writer.WriteSection("offload", s => s.WriteU32("tso-segments", 64), since: "4");
        }
    }

    protected override void SaveSection(string section, DeviceStateWriter writer)
    {
        SectionSaves[section] = SectionSaves.GetValueOrDefault(section) + 1;
        writer.WriteBytes("data", _rings[Array.IndexOf(RingNames, section)]);
    }

    protected override void LoadState(DeviceStateReader reader)
    {
        RxHead = reader.ReadU32("rx-head");
        Label = reader.ReadString("label");
        Mac = reader.ReadBytes("mac").ToArray();
        Rss = reader.ReadBool("rss");
        if (ReadsOptionalCounter && reader.TryReadU64("rx-dropped", out ulong dropped))
        {
            DroppedCounter = dropped;
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

    protected override void OnReset()
    {
        Hooks.Add("reset");
        RxHead = 0;
        foreach (byte[] ring in _rings)
        {
            Array.Clear(ring);
        }
    }

    protected override void OnRunning() => Hooks.Add("running");

    protected override void OnStopped()
    {
        Hooks.Add("stopped");
        if (FailOnStop is not null)
        {
            throw FailOnStop;
        }
    }

    public void Fill(int seed)
    {
        var random = new Random(seed);
        RxHead = (uint)random.Next();
        Label = $"eth{seed}";
        random.NextBytes(Mac);
        Rss = true;
        DroppedCounter = 12;
        foreach (byte[] ring in _rings)
        {
            random.NextBytes(ring);
        }
    }

    public void AssertSameState(SampleNic other)
    {
        Assert.Equal(other.RxHead, RxHead);
        Assert.Equal(other.Label, Label);
        Assert.Equal(other.Mac, Mac);
        Assert.Equal(other.Rss, Rss);
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
}
