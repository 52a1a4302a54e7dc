using Vfio.Benchmarks.Fleet;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

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
        var host = new HostCapabilities("h", [new ParentCapabilities("p", [new TypeCapabilities("t", new MigrationInfo([TestNicModels.NicV3]), 0)])]);
        Assert.Empty(new FleetIndex([host]).Find(DeviceConfiguration.Off(TestNicModels.NicV3)));
    }
    // Documents for the update sequences: parsed one by one (no shared description instances), a quarter of them
    // renamed to another document's host so that two keys can hold the same host name (equal candidates).
    private static readonly HostCapabilities[] Pool = SyntheticFleet.HostDocuments(120, seed: 7).Select(HostCapabilities.Parse).ToArray();

    private static readonly ForeignConfiguration[] UpdateQueries = [.. Queries.Select(q => ForeignConfiguration.Parse(DeviceModelId.Parse((string)q[0]), (string)q[1]))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void An_index_updated_in_place_answers_as_a_fresh_build_and_a_scan(int seed)
    {
        var random = new Random(seed);
        var held = new Dictionary<string, HostCapabilities>(StringComparer.Ordinal);
        // Starts from a keyed build of some documents, then random replacements and removals.
        for (int k = 0; k < 10; k++)
        {
            held[$"k{k}"] = RandomDocument(random);
        }
        var index = new FleetIndex(held.ToArray());
        AssertSameAsFreshBuildAndScan(index, held, $"seed {seed}, initial build");
        for (int step = 0; step < 300; step++)
        {
            string key = $"k{random.Next(30)}";
            int what = random.Next(10);
            if (what < 6)
            {
                held[key] = RandomDocument(random);
                index.Set(key, held[key]);
            }
            else if (what < 8 && held.TryGetValue(key, out HostCapabilities? current))
            {
                // Only the free-instance counts change, as when a host re-publishes after creating a device; some drop to 0.
                held[key] = current with { Parents = [.. current.Parents.Select(p => p with { Types = [.. p.Types.Select(t => t with { AvailableInstances = random.Next(3) == 0 ? 0 : random.Next(1, 17) })] })] };
                index.Set(key, held[key]);
            }
            else
            {
                Assert.Equal(held.Remove(key), index.Remove(key));
            }
            AssertSameAsFreshBuildAndScan(index, held, $"seed {seed}, step {step}");
        }

        // Emptied: no group is left behind.
        foreach (string key in held.Keys.ToArray())
        {
            Assert.True(index.Remove(key));
            held.Remove(key);
        }
        Assert.Equal(0, index.HostCount);
        Assert.Equal(0, index.DistinctDescriptions);
        Assert.All(UpdateQueries, q => Assert.Empty(index.Find(q)));
    }

    [Fact]
    public void A_keyed_build_refuses_a_key_given_twice()
    {
        Assert.Throws<ArgumentException>(() => new FleetIndex(new KeyValuePair<string, HostCapabilities>[] { new("k", Hosts[0]), new("k", Hosts[1]) }));
    }

    private static HostCapabilities RandomDocument(Random random)
    {
        HostCapabilities host = Pool[random.Next(Pool.Length)];
        return random.Next(4) == 0 ? host with { Host = Pool[random.Next(Pool.Length)].Host } : host;
    }

    private static void AssertSameAsFreshBuildAndScan(FleetIndex index, Dictionary<string, HostCapabilities> held, string when)
    {
        var fresh = new FleetIndex(held.Values);
        Assert.True(fresh.HostCount == index.HostCount, $"{when}: {index.HostCount} hosts, a fresh build has {fresh.HostCount}");
        Assert.True(fresh.DistinctDescriptions == index.DistinctDescriptions, $"{when}: {index.DistinctDescriptions} groups, a fresh build has {fresh.DistinctDescriptions}");
        foreach (ForeignConfiguration query in UpdateQueries)
        {
            IReadOnlyList<FleetCandidate> found = index.Find(query);
            Assert.True(fresh.Find(query).SequenceEqual(found), $"{when}: {query.Model} differs from a fresh build");
            Assert.True(FleetIndex.FindByScan(held.Values, query).SequenceEqual(found), $"{when}: {query.Model} differs from a scan");
            Assert.True(found.Take(5).SequenceEqual(index.Find(query, 5)), $"{when}: {query.Model}: the top 5 is not the start of the whole answer");
        }
    }
}
