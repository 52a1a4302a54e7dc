using Vfio.DeviceModels;

namespace Vfio.Tests.DeviceModels;

/// <summary>The design's example models, in the implementation generations the tests migrate between.</summary>
internal static class SampleModels
{
    public const string NicId = "vendor-a.com/my-nic";

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

    /// <summary>A model with every parameter type, for parser and round-trip tests.</summary>
    public static ModelDescription Mixed { get; } = new ModelDescriptionBuilder("example.org/mixed")
        .Bool("rss", "off", "on")
        .Int("queues", "0-8,16,32-64", "0", "4")
        .Str("mode", "fifo,none,ring", "none", "ring")
        .Version("1")
        .Version("2", "1", ("queues", "4"))
        .Version("3", "2", ("mode", "ring"), ("rss", "on"))
        .Build();
}
