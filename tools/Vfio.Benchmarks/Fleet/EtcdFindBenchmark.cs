using System.Diagnostics;
using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Fleet.Etcd;
using Vfio.Tests.Shared;

namespace Vfio.Benchmarks.Fleet;

/// <summary>
/// Fleet find from etcd (issue 18): publishes synthetic host documents (<see cref="SyntheticFleet"/>) to a real etcd
/// started here on 127.0.0.1, then measures the time to build the watched index from the store, the query latency of
/// the index against a linear scan of the same documents in the same run, and the delay from a host's change (a put)
/// to the index seeing it. Usage: <c>etcd-find [hosts] [seed] [changes]</c> (default 100000 hosts, seed 1, 20 changes).
/// Needs /usr/bin/etcd (Debian's etcd-server).
/// </summary>
internal static class EtcdFindBenchmark
{
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        int hostCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        int changes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        if (EtcdServer.WhyNot is string why)
        {
            Console.Error.WriteLine(why);
            return 2;
        }

        string[] documents = SyntheticFleet.HostDocuments(hostCount, seed).ToArray();
        HostCapabilities[] hosts = documents.Select(HostCapabilities.Parse).ToArray();
        long bytes = documents.Sum(d => (long)d.Length);

        await using EtcdServer etcd = await EtcdServer.StartAsync();
        var options = new EtcdStoreOptions { Endpoints = [etcd.ClientUrl], Timeout = TimeSpan.FromSeconds(30) };
        using EtcdConnection connection = EtcdConnection.Open(options);

        // Publish: one lease for the whole synthetic fleet (real hosts each hold their own), in transactions of
        // TxnPuts puts each (etcd's default --max-txn-ops is 128; 128 documents of about 3.2 KiB stay far below its
        // default 1.5 MiB request limit), TxnsInFlight transactions at a time: a few hundred raft entries and fsyncs
        // instead of one per host.
        var sw = Stopwatch.StartNew();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(etcd.ClientUrl);
        var kv = new KV.KVClient(channel);
        long lease = (await new Lease.LeaseClient(channel).LeaseGrantAsync(new LeaseGrantRequest { TTL = 3600 })).ID;
        const int TxnPuts = 128, TxnsInFlight = 4;
        var batches = new List<TxnRequest>();
        for (int i = 0; i < documents.Length; i += TxnPuts)
        {
            var txn = new TxnRequest();
            for (int j = i; j < Math.Min(i + TxnPuts, documents.Length); j++)
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(options.HostKey(hosts[j].Host)), Value = ByteString.CopyFromUtf8(documents[j]), Lease = lease } });
            }
            batches.Add(txn);
        }
        for (int b = 0; b < batches.Count; b += TxnsInFlight)
        {
            await Task.WhenAll(batches.Skip(b).Take(TxnsInFlight).Select(t => kv.TxnAsync(t, deadline: DateTime.UtcNow.AddMinutes(2)).ResponseAsync));
        }
        batches.Clear();
        TimeSpan publish = sw.Elapsed;

        // Build: range read (paged, one revision), parse, index; then the watch runs.
        sw.Restart();
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection);
        TimeSpan build = sw.Elapsed;
        FleetIndex built = index.Index;

        ForeignConfiguration query = ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), "rss=on,rx-filter-size=64");
        const int Max = 20;
        IReadOnlyList<FleetCandidate> expected = FleetIndex.FindByScan(hosts, query, Max);
        if (built.HostCount != hostCount || !expected.SequenceEqual(index.Find(query, Max)))
        {
            Console.Error.WriteLine($"the index from etcd ({built.HostCount} hosts) answers differently from a scan of the documents");
            return 1;
        }
        double scanMs = Measure(() => FleetIndex.FindByScan(hosts, query, Max), minRuns: 5, out int scanRuns);
        double indexMs = Measure(() => index.Find(query, Max), minRuns: 1000, out int indexRuns);

        // For comparison, from the documents in memory: a full build of the index (what the first query after a change
        // paid when the index was rebuilt; descriptions shared per fingerprint as EtcdFleetIndex keeps them, so this is
        // grouping and sorting only), and one in-place update (Set) of a host's document in that index.
        var shared = new Dictionary<string, ModelDescription>(StringComparer.Ordinal);
        KeyValuePair<string, HostCapabilities>[] keyed = [.. hosts.Select(h => new KeyValuePair<string, HostCapabilities>(options.HostKey(h.Host), h with
        {
            Parents = [.. h.Parents.Select(p => p with { Types = [.. p.Types.Select(t => t with { MigrationInfo = new MigrationInfo(t.MigrationInfo.Models.Select(m => { string fp = MigrationInfo.Fingerprint(m); return shared.TryAdd(fp, m) ? m : shared[fp]; })) })] })],
        }))];
        sw.Restart();
        var rebuilt = new FleetIndex(keyed);
        TimeSpan rebuild = sw.Elapsed;
        var pick = new Random(seed + 1);
        double setUs = Measure(() =>
        {
            KeyValuePair<string, HostCapabilities> doc = keyed[pick.Next(keyed.Length)];
            rebuilt.Set(doc.Key, doc.Value with { Parents = [.. doc.Value.Parents.Select(p => p with { Types = [.. p.Types.Select(t => t with { AvailableInstances = pick.Next(17) })] })] });
            return rebuilt;
        }, minRuns: 1000, out int setRuns) * 1000;
        if (!FleetIndex.FindByScan(keyed.Select(kv => kv.Value), query, Max).SequenceEqual(new FleetIndex(keyed).Find(query, Max)))
        {
            Console.Error.WriteLine("the keyed build answers differently from a scan");
            return 1;
        }
        keyed = [];
        rebuilt = null;

        // Change delay: a host's free instances change (put); time until the watch applied it, and until a query sees it.
        var seen = new List<double>();
        var answered = new List<double>();
        var random = new Random(seed);
        for (int c = 0; c < changes; c++)
        {
            int at = random.Next(hosts.Length);
            HostCapabilities host = hosts[at];
            HostCapabilities changed = host with { Parents = [.. host.Parents.Select(p => p with { Types = [.. p.Types.Select(t => t with { AvailableInstances = t.AvailableInstances + c + 1 })] })] };
            sw.Restart();
            PutResponse put = await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(options.HostKey(host.Host)), Value = ByteString.CopyFromUtf8(changed.ToJson()), Lease = lease });
            if (!await index.WaitForRevisionAsync(put.Header.Revision, TimeSpan.FromSeconds(30)))
            {
                Console.Error.WriteLine($"change {c} not seen within 30s; last error: {index.LastError}");
                return 1;
            }
            seen.Add(sw.Elapsed.TotalMilliseconds);
            hosts[at] = changed;
            GC.KeepAlive(index.Find(query, Max)); // the watch updated the index in place: nothing is rebuilt
            answered.Add(sw.Elapsed.TotalMilliseconds);
        }
        seen.Sort();
        answered.Sort();
        if (!FleetIndex.FindByScan(hosts, query, Max).SequenceEqual(index.Find(query, Max)))
        {
            Console.Error.WriteLine("after the changes, the index updated in place answers differently from a scan of the changed documents");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hosts={hostCount} document-bytes={bytes} distinct-descriptions={built.DistinctDescriptions} etcd={etcd.ClientUrl}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"publish={publish.TotalSeconds:F2}s ({TxnPuts} puts per transaction, {TxnsInFlight} transactions in flight)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index from etcd (range read, parse, index build): {build.TotalSeconds:F2}s, lists={index.Lists}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scan:  {scanMs:F3} ms/query ({scanRuns} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index: {indexMs * 1000:F1} us/query ({indexRuns} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio scan/index: {scanMs / indexMs:F0}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"from memory: full index build {rebuild.TotalMilliseconds:F0} ms; in-place update of one host {setUs:F1} us ({setRuns} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"change -> watch applied: median {seen[seen.Count / 2]:F1} ms, max {seen[^1]:F1} ms ({changes} changes)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"change -> first query answered: median {answered[answered.Count / 2]:F1} ms, max {answered[^1]:F1} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratios to one scan: build {build.TotalMilliseconds / scanMs:F1} scans, change seen {seen[seen.Count / 2] / scanMs:F2} scans, change answered {answered[answered.Count / 2] / scanMs:F2} scans"));
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
