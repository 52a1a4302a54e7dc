using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vfio.Tests.Shared;

/// <summary>
/// A real etcd (Debian's etcd-server, /usr/bin/etcd) for tests and the fleet benchmark: one member, client and peer
/// URLs on free 127.0.0.1 ports only, its data in a temporary folder, no automatic compaction; killed and its folder
/// removed on dispose. Can be stopped and started again on the same ports and data (a restart).
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/etcd";

    private readonly string _dataDir;
    private readonly int _clientPort;
    private readonly int _peerPort;
    private Process? _process;
    private readonly StringWriter _log = new();

    private EtcdServer(string dataDir, int clientPort, int peerPort)
    {
        _dataDir = dataDir;
        _clientPort = clientPort;
        _peerPort = peerPort;
    }

    /// <summary>Null when etcd can run here, otherwise why not (the package to install).</summary>
    public static string? WhyNot => File.Exists(Binary) ? null : $"{Binary} is missing: install Debian's etcd-server package (apt-get install -y etcd-server)";

    /// <summary>Whether a missing etcd is a failure (CI=true) rather than a skip.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public Uri ClientUrl => new($"http://127.0.0.1:{_clientPort}");

    public static async Task<EtcdServer> StartAsync()
    {
        if (WhyNot is string why)
        {
            throw new InvalidOperationException(why);
        }
        string dir = Path.Join(Path.GetTempPath(), "vfio-etcd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int[] ports = FreePorts(2);
        var server = new EtcdServer(dir, ports[0], ports[1]);
        try
        {
            await server.StartAgainAsync();
        }
        catch (InvalidOperationException)
        {
            await server.DisposeAsync(); // its process and temporary folder
            throw;
        }
        return server;
    }

    /// <summary>Starts the stopped server on the same ports and data.</summary>
    public async Task StartAgainAsync()
    {
        string peer = $"http://127.0.0.1:{_peerPort}";
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            "--name", "test", "--data-dir", Path.Join(_dataDir, "data"),
            "--listen-client-urls", ClientUrl.ToString().TrimEnd('/'), "--advertise-client-urls", ClientUrl.ToString().TrimEnd('/'),
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"test={peer}",
            "--initial-cluster-state", "new", "--log-outputs", "stderr", "--logger", "zap",
        })
        {
            info.ArgumentList.Add(arg);
        }
        // The machine is shared: etcd's own default is fine for one member, and it must not look for a proxy.
        info.Environment.Remove("ETCD_AUTO_COMPACTION_RETENTION");
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                string health = await http.GetStringAsync(new Uri(ClientUrl, "/health"));
                if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer on a loaded machine.
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"etcd did not become healthy on {ClientUrl} within 60s:\n{Log}");
    }

    /// <summary>Kills the server (as a crash would), keeping its data.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>A port nothing listens on now (bound and released at once, on 127.0.0.1).</summary>
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct free 127.0.0.1 ports: all are held bound until every one is chosen, then released.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? listener in listeners)
            {
                listener?.Stop();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not remove {_dataDir}: {e.Message}");
        }
        _log.Dispose();
        return ValueTask.CompletedTask;
    }
}
