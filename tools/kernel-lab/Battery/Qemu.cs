using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vfio.KernelLab;

/// <summary>
/// A VMM as production runs one: the host's QEMU (10.0 from Debian's bookworm-backports, shared read-only at /host by
/// <c>lab run --hostroot</c>) started inside the guest as a VM with no OS (firmware only) and one mtty mdev assigned
/// with <c>-device vfio-pci,sysfsdev=...</c>. QEMU holds the device's VFIO group and drives its v2 migration itself;
/// the battery talks to it over QMP (JSON, no line-editing echo), and reads the guest's I/O ports with HMP's
/// <c>i</c>/<c>o</c> through <c>human-monitor-command</c>.
/// </summary>
internal sealed partial class Qemu : IDisposable
{
    private const string HostRoot = "/host";
    private static readonly string Libraries = $"{HostRoot}/usr/lib/x86_64-linux-gnu";
    private static readonly string Loader = $"{Libraries}/ld-linux-x86-64.so.2";
    private static readonly string Binary = $"{HostRoot}/usr/bin/qemu-system-x86_64";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private Qemu(string name, Process process, Socket socket)
    {
        Name = name;
        _process = process;
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(stream, new UTF8Encoding(false));
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>The VM's name in the battery's messages.</summary>
    public string Name { get; }

    /// <summary>The QEMU process id (the holder vfioctl must name); its command name is <c>qemu-NAME</c>.</summary>
    public int Pid => _process.Id;

    /// <summary>What QEMU printed on stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Why the host's QEMU cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Binary))
        {
            return $"{Binary} is missing: run the lab with --hostroot on a host with Debian's qemu-system-x86 10.0 (bookworm-backports)";
        }
        return File.Exists(Loader) ? null : $"{Loader} is missing";
    }

    /// <summary>QEMU's version line, e.g. <c>QEMU emulator version 10.0.2 (...)</c>.</summary>
    public static string Version()
    {
        using Process p = Process.Start(Info(["--version"]))!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n')[0].Trim();
    }

    /// <summary>Starts a firmware-only VM with <paramref name="mdev"/> assigned, and connects its QMP monitor.</summary>
    /// <param name="name">A short name (its QMP socket's name in <paramref name="scratch"/>).</param>
    /// <param name="mdev">The mdev's UUID.</param>
    /// <param name="scratch">A folder for the QMP socket.</param>
    /// <param name="incoming">True: <c>-incoming defer</c> (a migration destination waiting for migrate-incoming).</param>
    public static Qemu Start(string name, string mdev, string scratch, bool incoming)
    {
        string qmp = Path.Join(scratch, name + ".qmp");
        File.Delete(qmp);
        List<string> args =
        [
            "-L", $"{HostRoot}/usr/share/seabios", "-L", $"{HostRoot}/usr/share/qemu",
            "-name", $"{name},process=qemu-{name}", "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-display", "none",
            "-serial", "none", "-monitor", "none", "-qmp", $"unix:{qmp},server=on,wait=off",
            // Debian's 6.12 has no IOMMUFD, so device dirty tracking cannot be reported; without enable-migration=on QEMU 10
            // counts the device as not migratable (a migration blocker) instead of using the container's type1 tracking.
            "-device", $"vfio-pci,sysfsdev=/sys/bus/mdev/devices/{mdev},enable-migration=on,x-device-dirty-page-tracking=off",
        ];
        if (incoming)
        {
            args.AddRange(["-incoming", "defer"]);
        }
        var process = Process.Start(Info(args))!;
        var output = new StringBuilder();
        void Collect(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new CheckFailedException($"QEMU ({name}) exited {process.ExitCode} at start: {output}");
            }
            if (File.Exists(qmp))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(qmp));
                    var vm = new Qemu(name, process, socket);
                    vm._output.Append(output);
                    process.OutputDataReceived += vm.Append;
                    process.ErrorDataReceived += vm.Append;
                    vm.Handshake();
                    return vm;
                }
                catch (SocketException) when (clock.Elapsed < Patience)
                {
                    socket.Dispose();
                }
            }
            if (clock.Elapsed > Patience)
            {
                process.Kill();
                throw new CheckFailedException($"QEMU ({name}) opened no QMP socket in {Patience.TotalSeconds} s: {output}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Runs a QMP command and returns its <c>return</c> value (events that arrive meanwhile are skipped).</summary>
    public JsonElement Execute(string command, string? argumentsJson = null)
    {
        string request = argumentsJson is null
            ? $$"""{"execute":{{JsonSerializer.Serialize(command, ResultJson.Default.String)}}}"""
            : $$"""{"execute":{{JsonSerializer.Serialize(command, ResultJson.Default.String)}},"arguments":{{argumentsJson}}}""";
        _writer.WriteLine(request);
        while (true)
        {
            string line = _reader.ReadLine() ?? throw new CheckFailedException($"QEMU ({Name}) closed QMP during {command}: {Output}");
            using JsonDocument reply = JsonDocument.Parse(line);
            if (reply.RootElement.TryGetProperty("return", out JsonElement value))
            {
                return value.Clone();
            }
            if (reply.RootElement.TryGetProperty("error", out JsonElement error))
            {
                throw new CheckFailedException($"QEMU ({Name}) refused {command}: {error.GetProperty("desc").GetString()}");
            }
        }
    }

    /// <summary>An HMP command through QMP; its text output.</summary>
    public string Hmp(string commandLine) =>
        Execute("human-monitor-command", $$"""{"command-line":{{JsonSerializer.Serialize(commandLine, ResultJson.Default.String)}}}""").GetString() ?? "";

    /// <summary>The I/O port bases of the mtty device's BARs, once the firmware has assigned them (about 1.5 s after
    /// start on bare TCG; longer here, nested).</summary>
    public IReadOnlyList<int> MttyPortBases(int bars)
    {
        var clock = Stopwatch.StartNew();
        string pci = "";
        while (clock.Elapsed < Patience)
        {
            pci = Hmp("info pci");
            // The mtty device: "Serial port: PCI device 4348:3253" followed by "BAR0: I/O at 0xc010 [0xc017]".
            int at = pci.IndexOf("PCI device 4348:3253", StringComparison.Ordinal);
            if (at >= 0)
            {
                string block = pci[at..];
                int next = block.IndexOf("Bus ", StringComparison.Ordinal);
                block = next > 0 ? block[..next] : block;
                int[] bases = [.. IoBar().Matches(block).Select(m => int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
                if (bases.Length >= bars && bases.All(b => b != 0))
                {
                    return bases;
                }
            }
            Thread.Sleep(250);
        }
        throw new CheckFailedException($"QEMU ({Name}): the firmware assigned no I/O BARs to the mtty device in {Patience.TotalSeconds} s:\n{pci}");
    }

    /// <summary>HMP <c>o /b</c>: a byte to an I/O port of the VM.</summary>
    public void Out(int port, byte value) => Hmp(string.Create(CultureInfo.InvariantCulture, $"o /b 0x{port:x} 0x{value:x2}"));

    /// <summary>HMP <c>i /b</c>: a byte from an I/O port of the VM.</summary>
    public byte In(int port)
    {
        string text = Hmp(string.Create(CultureInfo.InvariantCulture, $"i /b 0x{port:x}"));
        // "inb 0xc017 = 0xa5"
        Match m = InResult().Match(text);
        Require(m.Success, $"QEMU ({Name}): 'i /b 0x{port:x}' printed '{text.Trim()}'");
        return byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>The VM's run state (<c>running</c>, <c>postmigrate</c>, <c>inmigrate</c>, ...).</summary>
    public string Status() => Execute("query-status").GetProperty("status").GetString() ?? "";

    /// <summary>Polls <c>query-migrate</c> until the migration ends; returns its last reply.</summary>
    public JsonElement WaitForMigration()
    {
        var clock = Stopwatch.StartNew();
        JsonElement info = default;
        while (clock.Elapsed < Patience)
        {
            info = Execute("query-migrate");
            string status = info.TryGetProperty("status", out JsonElement s) ? s.GetString() ?? "" : "";
            if (status is "completed" or "failed" or "cancelled")
            {
                return info;
            }
            Thread.Sleep(200);
        }
        throw new CheckFailedException($"QEMU ({Name}): the migration did not end in {Patience.TotalSeconds} s: {info}");
    }

    /// <summary>Waits until the VM reports <paramref name="status"/>.</summary>
    public void WaitForStatus(string status)
    {
        var clock = Stopwatch.StartNew();
        string now = "";
        while (clock.Elapsed < Patience)
        {
            now = Status();
            if (now == status)
            {
                return;
            }
            Thread.Sleep(200);
        }
        throw new CheckFailedException($"QEMU ({Name}) is '{now}', not '{status}', after {Patience.TotalSeconds} s");
    }

    /// <summary>Quits QEMU (QMP <c>quit</c>), killing it if it does not go; its device is then free.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _writer.WriteLine("""{"execute":"quit"}""");
            }
            catch (IOException)
            {
                // The monitor is already gone; the kill below ends the process.
            }
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill();
            }
        }
        _process.WaitForExit();
        _reader.Dispose();
        _writer.Dispose();
        _socket.Dispose();
        _process.Dispose();
    }

    /// <summary>Kills QEMU with SIGKILL, as a crashed VMM ends.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    private void Handshake()
    {
        string greeting = _reader.ReadLine() ?? throw new CheckFailedException($"QEMU ({Name}) sent no QMP greeting: {Output}");
        Require(greeting.Contains("\"QMP\"", StringComparison.Ordinal), $"QEMU ({Name}) greeted with '{greeting}'");
        Execute("qmp_capabilities");
    }

    private void Append(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        }
    }

    private static ProcessStartInfo Info(IEnumerable<string> qemuArgs)
    {
        // The host's QEMU runs on the host's libraries through the host's loader: the guest's initramfs carries only
        // glibc, and its firmware search path is the host's /usr/share, found with -L.
        var info = new ProcessStartInfo(Loader)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--library-path");
        info.ArgumentList.Add(Libraries);
        info.ArgumentList.Add(Binary);
        foreach (string arg in qemuArgs)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["QEMU_MODULE_DIR"] = $"{Libraries}/qemu";
        return info;
    }

    private static void Require(bool condition, string failure) => Battery.Require(condition, failure);

    [GeneratedRegex(@"BAR\d+: I/O at 0x([0-9a-fA-F]+)")]
    private static partial Regex IoBar();

    [GeneratedRegex(@"=\s*0x([0-9a-fA-F]+)")]
    private static partial Regex InResult();
}
