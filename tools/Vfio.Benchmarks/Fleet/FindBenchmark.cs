using System.Diagnostics;
using System.Globalization;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;

namespace Vfio.Benchmarks.Fleet;

/// <summary>
/// Fleet find: the indexed <see cref="FleetIndex.Find(ForeignConfiguration, int)"/> against a plain linear scan of
/// every type of every host, on the same synthetic fleet in the same run, reported as a ratio (docs/benchmarks.md).
/// A Stopwatch ratio run rather than BenchmarkDotNet: the two sides differ by orders of magnitude and the input
/// takes seconds to build. Usage: <c>find [hosts] [seed]</c> (default 100000 hosts, seed 1).
/// </summary>
internal static class FindBenchmark
{
    public static int Run(string[] args)
    {
        int hostCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;

        var sw = Stopwatch.StartNew();
        HostCapabilities[] hosts = SyntheticFleet.HostDocuments(hostCount, seed).Select(HostCapabilities.Parse).ToArray();
        TimeSpan parse = sw.Elapsed;
        int types = hosts.Sum(h => h.Parents.Sum(p => p.Types.Count));

        sw.Restart();
        var index = new FleetIndex(hosts);
        TimeSpan build = sw.Elapsed;

        // One query: a new-generation NIC with a filter only nic-g3/nic-g4 accept, top 20 places.
        ForeignConfiguration query = ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), "rss=on,rx-filter-size=64");
        const int Max = 20;

        // Same answer first, or the timing means nothing.
        IReadOnlyList<FleetCandidate> expected = FleetIndex.FindByScan(hosts, query, Max);
        IReadOnlyList<FleetCandidate> actual = index.Find(query, Max);
        if (!expected.SequenceEqual(actual))
        {
            Console.Error.WriteLine("indexed and scanned results differ");
            return 1;
        }
        int totalMatches = FleetIndex.FindByScan(hosts, query).Count;

        double scanMs = Measure(() => FleetIndex.FindByScan(hosts, query, Max), minRuns: 5, out int scanRuns);
        double indexMs = Measure(() => index.Find(query, Max), minRuns: 1000, out int indexRuns);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hosts={hostCount} types={types} distinct-descriptions={index.DistinctDescriptions} matches={totalMatches} top={Max}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse={parse.TotalSeconds:F2}s index-build={build.TotalSeconds:F2}s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scan:  {scanMs:F3} ms/query ({scanRuns} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index: {indexMs * 1000:F1} us/query ({indexRuns} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio scan/index: {scanMs / indexMs:F0}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best: {string.Join("; ", actual.Take(3))}"));
        return 0;
    }

    // Warm up once, then run at least minRuns times and for at least half a second; mean ms per run.
    private static double Measure(Func<object> action, int minRuns, out int runs)
    {
        action();
        var sw = Stopwatch.StartNew();
        runs = 0;
        while (runs < minRuns || sw.ElapsedMilliseconds < 500)
        {
            GC.KeepAlive(action());
            runs++;
        }
        return sw.Elapsed.TotalMilliseconds / runs;
    }
}
