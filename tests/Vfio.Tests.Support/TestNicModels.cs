using Vfio.DeviceModels;

namespace Vfio.Tests.Support;

/// <summary>
/// The model descriptions of the test NIC (<see cref="TestNic"/>), for every test project: the design's example NIC
/// (<see cref="NicId"/>) in the implementation generations the model tests migrate between, and the NIC the
/// migration tests move between hosts (<see cref="MigrationId"/>) in a current and an old build.
/// </summary>
public static class TestNicModels
{
    /// <summary>The design's example NIC. A <see cref="TestNic"/> on it saves <see cref="TestNicLayout.Registers"/>.</summary>
    public const string NicId = "vendor-a.com/my-nic";

    /// <summary>The migration tests' NIC. A <see cref="TestNic"/> on it saves <see cref="TestNicLayout.Counter"/>.</summary>
    public const string MigrationId = "test.example/nic";

    /// <summary>The oldest implementation: version 1 only, no parameters at all.</summary>
    public static ModelDescription NicV1 { get; } = new ModelDescriptionBuilder(NicId)
        .Version("1")
        .Latest("1")
        .Build();

    /// <summary>Knows versions 1 and 2; rx-filter-size up to 32; no rss.</summary>
    public static ModelDescription NicV2 { get; } = new ModelDescriptionBuilder(NicId)
        .Int("rx-filter-size", "0-32", off: "0", init: "32", "Receive filter entries", since: "2")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Latest("2")
        .Build();

    /// <summary>The newest: adds rss (version 3), rx-filter-size up to 128.</summary>
    public static ModelDescription NicV3 { get; } = new ModelDescriptionBuilder(NicId)
        .Int("rx-filter-size", "0-128", off: "0", init: "32", "Receive filter entries", since: "2")
        .Bool("rss", off: "off", init: "on", "Receive side scaling", since: "3")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Version("3", basedOn: "2", ("rss", "on"))
        .Latest("3")
        .Build();

    /// <summary>
    /// The design's example NIC as the manager tests' types describe it: rss (bool) and rx-filter-size (0-64), both
    /// disabled by their off values; version 2 sets both, with no version it is based on and no latest version.
    /// </summary>
    public static ModelDescription Design { get; } = new ModelDescriptionBuilder(NicId)
        .Bool("rss", off: "off", init: "on", description: "receive side scaling")
        .Int("rx-filter-size", allowed: "0-64", off: "0", init: "32", description: "receive filter entries")
        .Version("1")
        .Version("2", null, ("rss", "on"), ("rx-filter-size", "32"))
        .Build();

    /// <summary>The migration tests' current build: versions 1-3, rss since 3.</summary>
    public static ModelDescription Current { get; } = new ModelDescriptionBuilder(MigrationId)
        .Int("rx-filter-size", "0-64", off: "0", init: "32", "Receive filter entries", since: "2")
        .Bool("rss", off: "off", init: "on", "Receive side scaling", since: "3")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Version("3", basedOn: "2", ("rss", "on"))
        .Latest("3")
        .Build();

    /// <summary>The migration tests' old build: versions 1-2, no rss.</summary>
    public static ModelDescription Old { get; } = new ModelDescriptionBuilder(MigrationId)
        .Int("rx-filter-size", "0-64", off: "0", init: "32", "Receive filter entries", since: "2")
        .Version("1")
        .Version("2", basedOn: "1", ("rx-filter-size", "32"))
        .Latest("2")
        .Build();

    /// <summary>What a <see cref="TestNic"/> configured with <paramref name="model"/> saves: its registers on the
    /// design's NIC, its counter on any other model (the migration tests' NIC, or another model they run it as).</summary>
    public static TestNicLayout LayoutOf(ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Id.ToString() == NicId ? TestNicLayout.Registers : TestNicLayout.Counter;
    }
}
