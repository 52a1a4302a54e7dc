using System.Diagnostics;
using Etcdserverpb;
using Grpc.Net.Client;
using Vfio.Benchmarks.Fleet;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Errors;
using Vfio.Fleet.Etcd;
using Vfio.Tests.Shared;

namespace Vfio.Tests.Fleet.Etcd;

/// <summary>Publishing, expiry, the watched index, compaction, restart and an unreachable store, on a real etcd.</summary>
public sealed class EtcdFleetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly ForeignConfiguration NicQuery = ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), "rss=on,rx-filter-size=64");

    private static EtcdConnection Connect(EtcdServer etcd, string prefix = "/test") =>
        EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [etcd.ClientUrl], Prefix = prefix, Timeout = TimeSpan.FromSeconds(5) });

    private static string[] Documents(int count, int seed) => SyntheticFleet.HostDocuments(count, seed).ToArray();

    private static string HostOf(string document) => HostCapabilities.Parse(document).Host;

    // Polls a condition (the index is updated by its own watch task) for at most Patience.
    private static async Task<bool> Eventually(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Patience)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return condition();
    }

    [EtcdFact]
    public async Task The_index_read_from_etcd_answers_as_the_index_built_from_the_same_documents()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        string[] documents = Documents(300, seed: 7);
        foreach (string document in documents)
        {
            await new FleetPublisher(connection, HostOf(document), TimeSpan.FromMinutes(5)).PublishAsync(document);
        }

        await using EtcdFleetIndex fromStore = await EtcdFleetIndex.OpenAsync(connection, watch: false);
        var fromFolder = new FleetIndex(documents.Select(HostCapabilities.Parse));

        Assert.Equal(300, fromStore.Index.HostCount);
        Assert.Empty(fromStore.Rejected);
        foreach (string query in new[] { "rss=on,rx-filter-size=64", "rx-filter-size=16", "" })
        {
            ForeignConfiguration source = ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-a.com/my-nic"), query);
            IReadOnlyList<FleetCandidate> expected = fromFolder.Find(source);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, fromStore.Find(source));
        }
        var gpu = ForeignConfiguration.Parse(DeviceModelId.Parse("vendor-b.com/gpu-slice"), "fb-mib=2048,encoder=av1");
        Assert.Equal(fromFolder.Find(gpu, 20), fromStore.Find(gpu, 20));
    }

    [EtcdFact]
    public async Task Watch_updates_reach_the_index_without_a_new_read()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        string[] documents = Documents(20, seed: 3);
        await new FleetPublisher(connection, HostOf(documents[0]), TimeSpan.FromMinutes(5)).PublishAsync(documents[0]);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection);
        Assert.Single(index.Hosts);

        long revision = 0;
        foreach (string document in documents[1..])
        {
            revision = await new FleetPublisher(connection, HostOf(document), TimeSpan.FromMinutes(5)).PublishAsync(document);
        }
        Assert.True(await index.WaitForRevisionAsync(revision, Patience), $"the index stayed at revision {index.Revision}, expected {revision}");
        Assert.Equal(20, index.Hosts.Count);
        Assert.Equal(new FleetIndex(documents.Select(HostCapabilities.Parse)).Find(NicQuery), index.Find(NicQuery));
        Assert.Equal(1, index.Lists);

        // A host whose types are all taken drops out of the answers; a deleted key drops out of the hosts.
        FleetCandidate best = index.Find(NicQuery, 1)[0];
        HostCapabilities full = HostCapabilities.Parse(documents.Single(d => HostOf(d) == best.Host));
        full = full with { Parents = [.. full.Parents.Select(p => p with { Types = [.. p.Types.Select(t => t with { AvailableInstances = 0 })] })] };
        revision = await new FleetPublisher(connection, best.Host, TimeSpan.FromMinutes(5)).PublishAsync(full.ToJson());
        Assert.True(await index.WaitForRevisionAsync(revision, Patience));
        Assert.DoesNotContain(index.Find(NicQuery), c => c.Host == best.Host);
        Assert.Contains(best.Host, index.Hosts);

        using GrpcChannel channel = GrpcChannel.ForAddress(etcd.ClientUrl);
        DeleteRangeResponse deleted = await new KV.KVClient(channel).DeleteRangeAsync(new DeleteRangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8(connection.Options.HostKey(best.Host)) });
        Assert.Equal(1, deleted.Deleted);
        Assert.True(await index.WaitForRevisionAsync(deleted.Header.Revision, Patience));
        Assert.DoesNotContain(best.Host, index.Hosts);
        // The watch updated the index in place: it answers as a fresh build over the documents now published.
        Assert.Equal(new FleetIndex(documents.Select(HostCapabilities.Parse).Where(h => h.Host != best.Host)).Find(NicQuery), index.Find(NicQuery));
        Assert.Equal(1, index.Lists);
    }

    [EtcdFact]
    public async Task A_document_expires_with_its_lease_and_comes_back_when_published_again()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        string document = Documents(1, seed: 5)[0];
        string host = HostOf(document);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection);

        // Published once and never kept alive: the host "died" right after publishing.
        var dead = new FleetPublisher(connection, host, TimeSpan.FromSeconds(2));
        Assert.True(await index.WaitForRevisionAsync(await dead.PublishAsync(document), Patience));
        Assert.Contains(host, index.Hosts);
        Assert.True(await Eventually(() => !index.Hosts.Contains(host)), "the document outlived its 2s lease");

        // The host comes back: a new lease, the document again.
        var back = new FleetPublisher(connection, host, TimeSpan.FromSeconds(30));
        Assert.True(await index.WaitForRevisionAsync(await back.PublishAsync(document), Patience));
        Assert.Contains(host, index.Hosts);
        Assert.NotEqual(dead.LeaseId, back.LeaseId);
    }

    [EtcdFact]
    public async Task A_running_publisher_keeps_its_lease_past_the_TTL_republishes_changes_and_revokes_on_stop()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        HostCapabilities document = HostCapabilities.Parse(Documents(1, seed: 11)[0]);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection);
        var publisher = new FleetPublisher(connection, document.Host, TimeSpan.FromSeconds(2));
        string current = document.ToJson();
        var lines = new List<string>();
        using var stop = new CancellationTokenSource();
        Task run = publisher.RunAsync(() => Volatile.Read(ref current), TimeSpan.FromMilliseconds(200), line => { lock (lines) { lines.Add(line); } }, stop.Token);

        Assert.True(await Eventually(() => index.Hosts.Contains(document.Host)));
        await Task.Delay(TimeSpan.FromSeconds(4)); // twice the TTL: only keep-alives hold the key
        Assert.Contains(document.Host, index.Hosts);

        // A device was created: one fewer free instance, re-published at the next interval.
        TypeCapabilities first = document.Parents[0].Types[0];
        HostCapabilities changed = document with { Parents = [document.Parents[0] with { Types = [first with { AvailableInstances = first.AvailableInstances + 5 }, .. document.Parents[0].Types.Skip(1)] }, .. document.Parents.Skip(1)] };
        Volatile.Write(ref current, changed.ToJson());
        Assert.True(await Eventually(() => index.Find(ForeignConfiguration.Parse(first.MigrationInfo.Models[0].Id, "")).Any(c => c.Host == document.Host && c.Type == first.Name && c.AvailableInstances == first.AvailableInstances + 5)),
            "the changed free-instance count did not reach the index");

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        Assert.True(await Eventually(() => !index.Hosts.Contains(document.Host)));
        // Gone by revocation, not expiry: etcd no longer knows the lease at all (TTL -1), which expiry alone would also
        // show only after the TTL; asked right away, a lease that was merely left to expire still has its time.
        using (var channel = Grpc.Net.Client.GrpcChannel.ForAddress(etcd.ClientUrl))
        {
            var lease = await new Etcdserverpb.Lease.LeaseClient(channel).LeaseTimeToLiveAsync(new Etcdserverpb.LeaseTimeToLiveRequest { ID = publisher.LeaseId });
            Assert.Equal(-1, lease.TTL);
        }
        lock (lines)
        {
            Assert.Contains(lines, l => l.StartsWith("re-published", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("revoked", StringComparison.Ordinal));
        }
    }

    [EtcdFact]
    public async Task A_watch_whose_start_revision_was_compacted_relists()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        string[] documents = Documents(10, seed: 13);
        await new FleetPublisher(connection, HostOf(documents[0]), TimeSpan.FromMinutes(5)).PublishAsync(documents[0]);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection, watch: false);
        long readAt = index.Revision;

        long last = 0;
        foreach (string document in documents[1..])
        {
            last = await new FleetPublisher(connection, HostOf(document), TimeSpan.FromMinutes(5)).PublishAsync(document);
        }
        using GrpcChannel channel = GrpcChannel.ForAddress(etcd.ClientUrl);
        await new KV.KVClient(channel).CompactAsync(new CompactionRequest { Revision = last, Physical = true });

        index.StartWatching(); // from readAt + 1, which is gone
        Assert.True(await index.WaitForRevisionAsync(last, Patience), $"stuck at {index.Revision}; last error: {index.LastError}");
        Assert.True(index.Lists >= 2, "the index did not read the store again");
        Assert.True(index.Revision > readAt);
        Assert.Equal(10, index.Hosts.Count);

        // And the new watch works from the new read's revision.
        string extra = Documents(11, seed: 17)[10].Replace("\"host-000010\"", "\"host-extra\"", StringComparison.Ordinal);
        Assert.True(await index.WaitForRevisionAsync(await new FleetPublisher(connection, "host-extra", TimeSpan.FromMinutes(5)).PublishAsync(extra), Patience));
        Assert.Contains("host-extra", index.Hosts);
    }

    [EtcdFact]
    public async Task The_index_recovers_when_etcd_restarts_mid_watch()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        using EtcdConnection connection = Connect(etcd);
        string[] documents = Documents(4, seed: 19);
        await new FleetPublisher(connection, HostOf(documents[0]), TimeSpan.FromMinutes(5)).PublishAsync(documents[0]);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection);
        Assert.True(await index.WaitForRevisionAsync(await new FleetPublisher(connection, HostOf(documents[1]), TimeSpan.FromMinutes(5)).PublishAsync(documents[1]), Patience));

        etcd.Stop();
        Assert.True(await Eventually(() => index.LastError is not null), "the broken watch was not noticed");
        await etcd.StartAgainAsync();

        long revision = 0;
        foreach (string document in documents[2..])
        {
            revision = await new FleetPublisher(connection, HostOf(document), TimeSpan.FromMinutes(5)).PublishAsync(document);
        }
        Assert.True(await index.WaitForRevisionAsync(revision, Patience), $"stuck at {index.Revision}; last error: {index.LastError}");
        Assert.Equal(documents.Select(HostOf).Order(StringComparer.Ordinal), index.Hosts);
        Assert.True(index.Reconnects >= 1);
        Assert.Null(index.LastError);
    }

    [Fact]
    public async Task An_unreachable_store_fails_with_its_code_and_endpoint_within_the_timeout()
    {
        int port = EtcdServer.FreePort(); // nothing listens there
        using EtcdConnection connection = EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri($"http://127.0.0.1:{port}")], Timeout = TimeSpan.FromSeconds(1) });
        // Bounded: the 1 s timeout ends the call with its code; the test's patience only guards against a hang.
        VfioException e = await Assert.ThrowsAsync<VfioException>(() => EtcdFleetIndex.OpenAsync(connection).WaitAsync(Patience));
        Assert.Equal(ErrorCode.FleetStoreUnreachable, e.Code);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);

        e = await Assert.ThrowsAsync<VfioException>(() => new FleetPublisher(connection, "h1", TimeSpan.FromSeconds(10)).PublishAsync("{}"));
        Assert.Equal(ErrorCode.FleetStoreUnreachable, e.Code);
    }

    [Fact]
    public void TLS_options_are_refused_when_incomplete()
    {
        string ca = Path.GetTempFileName();
        try
        {
            VfioException e = Assert.Throws<VfioException>(() => EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri("https://127.0.0.1:2379")] }));
            Assert.Equal(ErrorCode.FleetStoreTlsInvalid, e.Code);
            Assert.Contains("--etcd-cacert", e.Message, StringComparison.Ordinal);

            e = Assert.Throws<VfioException>(() => EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri("https://127.0.0.1:2379")], CaCertificateFile = ca + ".missing" }));
            Assert.Equal(ErrorCode.FleetStoreTlsInvalid, e.Code);
            Assert.Equal(ca + ".missing", e.Value);

            e = Assert.Throws<VfioException>(() => EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri("https://127.0.0.1:2379")], CaCertificateFile = ca, ClientCertificateFile = ca }));
            Assert.Equal(ErrorCode.FleetStoreTlsInvalid, e.Code);

            e = Assert.Throws<VfioException>(() => EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri("http://127.0.0.1:2379")], CaCertificateFile = ca }));
            Assert.Equal(ErrorCode.FleetStoreTlsInvalid, e.Code);

            // An existing CA file with no certificate in it (here: empty).
            e = Assert.Throws<VfioException>(() => EtcdConnection.Open(new EtcdStoreOptions { Endpoints = [new Uri("https://127.0.0.1:2379")], CaCertificateFile = ca }));
            Assert.Equal(ErrorCode.FleetStoreTlsInvalid, e.Code);
            Assert.Contains("holds no PEM certificate", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:2379", "http://127.0.0.1:2379/")]
    [InlineData("https://etcd-1:2379, http://10.0.0.2:2379", "https://etcd-1:2379/ http://10.0.0.2:2379/")]
    public void Endpoints_parse(string text, string expected) =>
        Assert.Equal(expected, string.Join(' ', EtcdStoreOptions.ParseEndpoints(text)));

    [Theory]
    [InlineData("")]
    [InlineData("ftp://h:1")]
    [InlineData("http://h:1/v3")]
    public void Bad_endpoints_and_host_names_are_refused(string text)
    {
        Assert.Equal(ErrorCode.FleetStoreOptionsInvalid, Assert.Throws<VfioException>(() => EtcdStoreOptions.ParseEndpoints(text)).Code);
        Assert.Equal(ErrorCode.FleetStoreOptionsInvalid, Assert.Throws<VfioException>(() => new EtcdStoreOptions { Endpoints = [] }.HostKey("a/b")).Code);
    }
}
