using System.Globalization;
using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Sdk;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// A test-local vendor device with bulk state: N pages, each a pre-copy section with one byte field, loaded early;
/// optionally straight into its pages (<see cref="MigratableDevice.LoadTarget"/>).
/// </summary>
internal sealed class PagedDevice : MigratableDevice
{
    private readonly string[] _names;

    public PagedDevice(string name, int pages, int pageSize, bool inPlace = true)
        : base(name, Model1(), MigrationFeatures.StopCopy | MigrationFeatures.PreCopy)
    {
        Pages = Enumerable.Range(0, pages).Select(_ => new byte[pageSize]).ToArray();
        _names = Enumerable.Range(0, pages).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        InPlace = inPlace;
    }

    public byte[][] Pages { get; }

    public bool InPlace { get; }

    public uint Generation { get; set; }

    /// <summary>Sections loaded, and how many of them found their bytes already in the page.</summary>
    public int SectionLoads { get; private set; }

    public int LoadedInPlace { get; private set; }

    /// <summary>Saves each page through one scratch array that it then overwrites: the hazard WriteBytes(byte[]) documents.</summary>
    public bool ReuseScratchArray { get; set; }

    protected override IReadOnlyList<string> Sections => _names;

    protected override bool LoadsSectionsEarly => true;

    private static DeviceConfiguration Model1() =>
        DeviceConfiguration.Off(new ModelDescriptionBuilder("test.example/paged").Version("1").Latest("1").Build());

    public void Fill(int seed)
    {
        var random = new Random(seed);
        foreach (byte[] page in Pages)
        {
            random.NextBytes(page);
        }
    }

    public bool SameAs(PagedDevice other) =>
        Generation == other.Generation && Pages.Zip(other.Pages).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    protected override Memory<byte> LoadTarget(string section, string field, int length) =>
        InPlace && field == "data" ? Pages[Index(section)] : default;

    protected override void LoadSection(string section, DeviceStateReader reader)
    {
        SectionLoads++;
        ReadOnlyMemory<byte> data = reader.ReadBytes("data");
        byte[] page = Pages[Index(section)];
        if (InPlace && data.Length == page.Length && data.Span == page.AsSpan())
        {
            LoadedInPlace++;
            return;
        }
        data.Span.CopyTo(page);
    }

    protected override void SaveSection(string section, DeviceStateWriter writer)
    {
        byte[] page = Pages[Index(section)];
        if (ReuseScratchArray)
        {
            byte[] scratch = (byte[])page.Clone();
            writer.WriteBytes("data", scratch);
            scratch.AsSpan().Fill(0x77);
            return;
        }
        writer.WriteBytes("data", page);
    }

    protected override void SaveState(DeviceStateWriter writer) => writer.WriteU32("generation", Generation);

    protected override void LoadState(DeviceStateReader reader) => Generation = reader.ReadU32("generation");

    protected override void OnReset() => Generation = 0;

    private static int Index(string section) => int.Parse(section.AsSpan(1), CultureInfo.InvariantCulture);
}
