using System.Globalization;
using System.Text;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Benchmarks.Fleet;

/// <summary>
/// Synthetic host capability documents with a realistic spread: a few vendors and models, several implementation
/// generations each (different ranges, parameters and versions), one to four parents per host, one to three types
/// per parent, free instances skewed towards zero. Deterministic for a given seed. Shared with the tests.
/// </summary>
internal static class SyntheticFleet
{
    /// <summary>Every implementation generation in the fleet, oldest first per model.</summary>
    public static IReadOnlyList<(string Type, ModelDescription Model)> Generations { get; } = BuildGenerations();

    private static readonly string[] Templates = Generations.Select(g => new MigrationInfo([g.Model]).ToJson()).ToArray();

    /// <summary>The JSON text of <paramref name="count"/> host documents.</summary>
    public static IEnumerable<string> HostDocuments(int count, int seed)
    {
        var random = new Random(seed);
        for (int h = 0; h < count; h++)
        {
            var sb = new StringBuilder(4096);
            sb.Append("{\"host\": \"host-").Append(h.ToString("D6", CultureInfo.InvariantCulture)).Append("\", ");
            if (random.Next(10) == 0)
            {
                sb.Append("\"rack\": \"r").Append(random.Next(100)).Append("\", "); // unknown field, tolerated
            }
            sb.Append("\"parents\": {");
            int parents = random.Next(1, 5);
            for (int p = 0; p < parents; p++)
            {
                sb.Append(p == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"\"0000:{p + 1:x2}:00.0\": {{\"types\": {{");
                int types = random.Next(1, 4);
                var used = new HashSet<int>();
                for (int t = 0; t < types; t++)
                {
                    int g = PickGeneration(random);
                    if (!used.Add(g))
                    {
                        continue;
                    }
                    // Free instances: a third full, the rest 1-16.
                    int free = random.Next(3) == 0 ? 0 : random.Next(1, 17);
                    sb.Append(used.Count == 1 ? "" : ", ")
                      .Append('"').Append(Generations[g].Type).Append("\": {\"available_instances\": ").Append(free)
                      .Append(", \"migration_info\": ").Append(Templates[g]).Append('}');
                }
                sb.Append("}}");
            }
            sb.Append("}}");
            yield return sb.ToString();
        }
    }

    // Newer generations are more common, as in a fleet being upgraded.
    private static int PickGeneration(Random random)
    {
        int i = random.Next(Generations.Count);
        int j = random.Next(Generations.Count);
        return Math.Max(i, j);
    }

    private static List<(string, ModelDescription)> BuildGenerations()
    {
        const string nic = "vendor-a.com/my-nic";
        const string gpu = "vendor-b.com/gpu-slice";
        const string mtty = "kernel.org/samples/mtty";
        return
        [
            ("mtty-1", new ModelDescriptionBuilder(mtty).Build()),
            ("nic-g1", new ModelDescriptionBuilder(nic).Version("1").Build()),
            ("nic-g2", new ModelDescriptionBuilder(nic)
                .Int("rx-filter-size", "0-32", "0", "32", since: "2")
                .Version("1").Version("2", "1", ("rx-filter-size", "32")).Build()),
            ("nic-g3", new ModelDescriptionBuilder(nic)
                .Int("rx-filter-size", "0-64", "0", "32", since: "2")
                .Bool("rss", "off", "on", since: "3")
                .Version("1").Version("2", "1", ("rx-filter-size", "32")).Version("3", "2", ("rss", "on")).Build()),
            ("nic-g4", new ModelDescriptionBuilder(nic)
                .Int("rx-filter-size", "0-128", "0", "64", since: "2")
                .Bool("rss", "off", "on", since: "3")
                .Int("queues", "1-16", "1", "8", since: "4")
                .Version("1").Version("2", "1", ("rx-filter-size", "32")).Version("3", "2", ("rss", "on")).Version("4", "3", ("queues", "8"), ("rx-filter-size", "64")).Build()),
            ("gpu-g1", new ModelDescriptionBuilder(gpu)
                .Int("fb-mib", "256,512,1024", "256", "512")
                .Version("1", null, ("fb-mib", "512")).Build()),
            ("gpu-g2", new ModelDescriptionBuilder(gpu)
                .Int("fb-mib", "256,512,1024,2048", "256", "1024")
                .Str("encoder", "h264,hevc,none", "none", "hevc", since: "2")
                .Version("1", null, ("fb-mib", "512")).Version("2", "1", ("encoder", "h264")).Build()),
            ("gpu-g3", new ModelDescriptionBuilder(gpu)
                .Int("fb-mib", "256,512,1024,2048,4096", "256", "2048")
                .Str("encoder", "av1,h264,hevc,none", "none", "av1", since: "2")
                .Version("1", null, ("fb-mib", "512")).Version("2", "1", ("encoder", "h264")).Version("3", "2", ("encoder", "av1"), ("fb-mib", "2048")).Build()),
        ];
    }
}
