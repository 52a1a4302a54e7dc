using System.Diagnostics;
using System.Text;
using Vfio.Tests.Shared;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary><c>publish</c> and <c>find --etcd</c> against a real etcd on 127.0.0.1, and their refusals without one.</summary>
public sealed class FleetStoreTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000aa";
    private const string Other = "a0000000-0000-4000-8000-0000000000bb";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private Task<CliResult> OnB(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostB, .. args]);

    private static void Ok(CliResult r) => Assert.True(r.ExitCode == 0, r.Err);

    [EtcdFact]
    public async Task Find_from_etcd_prints_what_find_from_the_folder_prints_for_the_same_documents()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        string url = etcd.ClientUrl.ToString();
        Ok(await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"));
        Ok(await OnA("start", "-u", Other, "-p", Parent, "-t", Type, "--config", "version=1"));
        string fleet = Path.Join(_hosts.Root, "fleet");
        Directory.CreateDirectory(fleet);
        File.WriteAllText(Path.Join(fleet, "a.json"), (await OnA("capabilities", "--host-name", "host-a")).Out);
        File.WriteAllText(Path.Join(fleet, "b.json"), (await OnB("capabilities", "--host-name", "host-b")).Out);

        CliResult publishA = await OnA("publish", "--etcd", url, "--prefix", "/t", "--host-name", "host-a", "--once");
        Ok(publishA);
        Ok(await OnB("publish", "--etcd", url, "--prefix", "/t", "--host-name", "host-b", "--once"));
        Assert.Contains("published /t/hosts/host-a", publishA.Out, StringComparison.Ordinal);

        foreach (string device in new[] { Source, Other })
        {
            CliResult fromFolder = await OnA("find", fleet, "-u", device);
            CliResult fromStore = await OnA("find", "--etcd", url, "--prefix", "/t", "-u", device);
            Assert.Equal(0, fromStore.ExitCode);
            Assert.Equal(fromFolder.Out, fromStore.Out);
            Assert.Empty(fromStore.Err);
        }
        // Another prefix is another fleet: nothing there.
        CliResult empty = await OnA("find", "--etcd", url, "--prefix", "/elsewhere", "-u", Source);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("0 candidate(s) among 0 host(s)", empty.Out, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task A_stale_answer_is_refused_by_the_destination_with_its_code()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        string url = etcd.ClientUrl.ToString();
        Ok(await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=2"));
        Ok(await OnB("publish", "--etcd", url, "--host-name", "host-b", "--once"));

        // host-b's free instances are taken after it published; its document (not re-published) still offers them.
        CliResult refused = null!;
        for (int i = 0; i < 64; i++)
        {
            refused = await OnB("start", "-u", $"b0000000-0000-4000-8000-{i:x12}", "-p", Parent, "-t", Type, "--config", "version=1");
            if (refused.ExitCode != 0)
            {
                break;
            }
        }
        CliResult stale = await OnA("find", "--etcd", url, "-u", Source);

        Assert.Equal(0, stale.ExitCode);
        Assert.Contains("host-b", stale.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("E6006 no-instances-available", refused.Err, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task Publish_runs_until_SIGTERM_then_revokes_and_a_killed_publisher_drops_out_after_its_TTL()
    {
        await using EtcdServer etcd = await EtcdServer.StartAsync();
        string url = etcd.ClientUrl.ToString();
        Ok(await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=2"));

        // SIGTERM: the lease is revoked and the host is gone at once (the TTL is far longer than the wait).
        (Process terminated, StringBuilder termOut) = await StartPublisherAsync(url, "host-b", ttl: 60);
        Assert.Contains("host-b", (await OnA("find", "--etcd", url, "-u", Source)).Out, StringComparison.Ordinal);
        using (Process kill = Process.Start("kill", ["-TERM", terminated.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await terminated.WaitForExitAsync(limit.Token);
        }
        Assert.Equal(0, terminated.ExitCode);
        lock (termOut)
        {
            Assert.Contains("revoked lease", termOut.ToString(), StringComparison.Ordinal);
        }
        Assert.Contains("0 candidate(s) among 0 host(s)", (await OnA("find", "--etcd", url, "-u", Source)).Out, StringComparison.Ordinal);
        terminated.Dispose();

        // SIGKILL (the host died): nobody revokes; the key goes when the 3 s lease expires.
        (Process killed, _) = await StartPublisherAsync(url, "host-b", ttl: 3);
        killed.Kill();
        await killed.WaitForExitAsync();
        killed.Dispose();
        Assert.Contains("host-b", (await OnA("find", "--etcd", url, "-u", Source)).Out, StringComparison.Ordinal);
        var sw = Stopwatch.StartNew();
        string after = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(20) && !after.Contains("among 0 host(s)", StringComparison.Ordinal))
        {
            await Task.Delay(250);
            after = (await OnA("find", "--etcd", url, "-u", Source)).Out;
        }
        Assert.Contains("among 0 host(s)", after, StringComparison.Ordinal);
    }

    // Starts 'vfioctl publish' on host B as a process and waits (at most 60 s) until it has published.
    private async Task<(Process Process, StringBuilder Output)> StartPublisherAsync(string url, string name, int ttl)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { BuiltCli.Dll, "--emulated", _hosts.HostB, "publish", "--etcd", url, "--host-name", name, "--ttl", ttl.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interval", "1" })
        {
            info.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.StartsWith("published ", StringComparison.Ordinal) == true)
            {
                published.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task first = await Task.WhenAny(published.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != published.Task)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            lock (output)
            {
                Assert.Fail($"publish did not publish: {output}");
            }
        }
        return (process, output);
    }

    [Fact]
    public async Task An_unreachable_store_is_a_catalogued_error_naming_the_endpoint_within_the_timeout()
    {
        Ok(await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=2"));
        string endpoint = $"127.0.0.1:{EtcdServer.FreePort()}";
        // Bounded by --etcd-timeout: each ends with its code (the CLI runner's own limit only guards against a hang).
        CliResult find = await OnA("find", "--etcd", endpoint, "--etcd-timeout", "1", "-u", Source);
        CliResult publish = await OnA("publish", "--etcd", endpoint, "--etcd-timeout", "1", "--once");

        foreach (CliResult r in new[] { find, publish })
        {
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("error E6060 fleet-store-unreachable: ", r.Err, StringComparison.Ordinal);
            Assert.Contains($"http://{endpoint}", r.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TLS_is_refused_without_a_CA_and_with_files_that_do_not_exist()
    {
        CliResult noCa = await OnA("find", "--etcd", "https://127.0.0.1:2379", "-u", Source);
        CliResult missing = await OnA("publish", "--etcd", "https://127.0.0.1:2379", "--etcd-cacert", Path.Join(_hosts.Root, "ca.pem"), "--once");
        File.WriteAllText(Path.Join(_hosts.Root, "ca.pem"), "");
        CliResult noKey = await OnA("publish", "--etcd", "https://127.0.0.1:2379", "--etcd-cacert", Path.Join(_hosts.Root, "ca.pem"), "--etcd-cert", Path.Join(_hosts.Root, "ca.pem"), "--once");

        foreach (CliResult r in new[] { noCa, missing, noKey })
        {
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("error E6061 fleet-store-tls-invalid: ", r.Err, StringComparison.Ordinal);
        }
        Assert.Contains("--etcd-cacert", noCa.Err, StringComparison.Ordinal);
        Assert.Contains("ca.pem' does not exist", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_needs_an_endpoint_and_find_exactly_one_fleet()
    {
        Assert.Equal(64, (await OnA("publish", "--once")).ExitCode);
        Assert.Equal(64, (await OnA("find", "-u", Source)).ExitCode);
        Assert.Equal(64, (await OnA("find", _hosts.Root, "--etcd", "127.0.0.1:2379", "-u", Source)).ExitCode);
        Assert.Equal(1, (await OnA("find", "--etcd", "ftp://x:1", "-u", Source)).ExitCode);
    }
}
