using Vfio.Benchmarks.Fleet;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;

namespace DeviceModels.Tests;

public sealed class FleetIndexTests
{
    private static readonly HostCapabilities[] Hosts = SyntheticFleet.HostDocuments(1500, seed: 99).Select(HostCapabilities.Parse).ToArray();
    private static readonly FleetIndex Index = new(Hosts);

    public static TheoryData<string, string> Queries => new()
    {
        { "vendor-a.com/my-nic", "" },
        { "vendor-a.com/my-nic", "rx-filter-size=32" },
        { "vendor-a.com/my-nic", "rx-filter-size=64" },
        { "vendor-a.com/my-nic", "rss=on,rx-filter-size=64" },
        { "vendor-a.com/my-nic", "queues=8,rss=on,rx-filter-size=128" },
        { "vendor-b.com/gpu-slice", "encoder=av1,fb-mib=2048" },
        { "vendor-b.com/gpu-slice", "fb-mib=512" },
        { "kernel.org/samples/mtty", "" },
        { "vendor-c.com/unknown", "" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Index_finds_exactly_what_a_full_scan_finds(string model, string configuration)
    {
        ForeignConfiguration source = ForeignConfiguration.Parse(DeviceModelId.Parse(model), configuration);
        IReadOnlyList<FleetCandidate> indexed = Index.Find(source);
        IReadOnlyList<FleetCandidate> scanned = FleetIndex.FindByScan(Hosts, source);
        Assert.Equal(scanned, indexed);
        Assert.All(indexed, c => Assert.True(c.AvailableInstances > 0));
        Assert.Equal(Index.Find(source, 10), scanned.Take(10));
    }

    [Fact]
    public void Results_are_ranked_by_free_instances_then_names()
    {
        IReadOnlyList<FleetCandidate> found = Index.Find(ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), "rx-filter-size=32"));
        Assert.NotEmpty(found);
        for (int i = 1; i < found.Count; i++)
        {
            FleetCandidate a = found[i - 1], b = found[i];
            Assert.True(a.AvailableInstances > b.AvailableInstances ||
                (a.AvailableInstances == b.AvailableInstances && string.CompareOrdinal(a.Host + "\0" + a.Parent + "\0" + a.Type, b.Host + "\0" + b.Parent + "\0" + b.Type) < 0));
        }
    }

    [Fact]
    public void Only_generations_that_accept_the_configuration_are_returned()
    {
        // rx-filter-size=64 needs nic-g3 (0-64) or nic-g4 (0-128); nic-g2 allows only 0-32 and nic-g1 lacks it.
        IReadOnlyList<FleetCandidate> found = Index.Find(ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), "rx-filter-size=64"));
        Assert.NotEmpty(found);
        Assert.All(found, c => Assert.Contains(c.Type, new[] { "nic-g3", "nic-g4" }));
        Assert.Contains(found, c => c.Type == "nic-g3");
        Assert.Contains(found, c => c.Type == "nic-g4");
    }

    [Fact]
    public void Hosts_with_the_same_implementation_share_one_description_group()
    {
        Assert.Equal(1500, Index.HostCount);
        Assert.Equal(SyntheticFleet.Generations.Count, Index.DistinctDescriptions);
    }

    [Fact]
    public void Full_types_are_never_returned()
    {
        var host = new HostCapabilities("h", [new ParentCapabilities("p", [new TypeCapabilities("t", new MigrationInfo([SampleModels.NicV3]), 0)])]);
        Assert.Empty(new FleetIndex([host]).Find(DeviceConfiguration.Off(SampleModels.NicV3)));
    }
}
