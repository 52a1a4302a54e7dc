using Vfio.DeviceModels;

namespace Vfio.Tests.Manager;

internal static class TestModels
{
    /// <summary>The design's example NIC: rss (bool) and rx-filter-size (0-64), both disabled by their off values.</summary>
    public static ModelDescription Nic { get; } = new ModelDescriptionBuilder("vendor-a.com/my-nic")
        .Bool("rss", off: "off", init: "on", description: "receive side scaling")
        .Int("rx-filter-size", allowed: "0-64", off: "0", init: "32", description: "receive filter entries")
        .Version("1")
        .Version("2", null, ("rss", "on"), ("rx-filter-size", "32"))
        .Build();
}
