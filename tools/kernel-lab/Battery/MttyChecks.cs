using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vfio.Manager.Devices;
using Vfio.Devices;
using static Vfio.KernelLab.Battery;

namespace Vfio.KernelLab;

/// <summary>
/// The battery against the kernel's mtty sample: every operator verb, state that really moves (registers and FIFO
/// compared on both sides), corrupted streams refused, killed processes recovered, and the host left as found.
/// </summary>
internal sealed partial class MttyChecks(Vfioctl vfioctl, KernelDeviceOpener opener, Battery battery, string scratch)
{
    private const string Parent = "mtty";
    private const string Model = "kernel.org/samples/mtty";
    private static readonly string TypesDir = "/sys/class/mdev_bus/mtty/mdev_supported_types";

    private readonly List<string> _created = [];
    private readonly Dictionary<string, int> _initial = [];
    private string _src = "", _dst = "";

    public void RunAll()
    {
        _initial["mtty-1"] = Available("mtty-1");
        _initial["mtty-2"] = Available("mtty-2");
        battery.Check("environment", Environment_);
        battery.Check("types", Types);
        battery.Check("start-pinned", StartPinned);
        battery.Check("start-refuses-ports-1", StartRefusesPorts1);
        battery.Check("list-model-and-configuration", ListShowsModel);
        battery.Check("describe", Describe);
        battery.Check("models-without-libssl", Models);
        battery.Check("capabilities", Capabilities);
        battery.Check("check-refuses-mtty-1", CheckAgainstMtty1);
        battery.Check("define-start-stop-undefine", DefineStartStopUndefine);
        battery.Check("migrate-stop-copy", () => Migrate(new PortState(0xa5, 0x3c, "MIG"), preCopy: false, pipe: false));
        battery.Check("migrate-pre-copy", () => Migrate(new PortState(0x5a, 0xc3, "PRE"), preCopy: true, pipe: false));
        battery.Check("migrate-pipe", () => Migrate(new PortState(0x6b, 0x96, "PIPE"), preCopy: true, pipe: true));
        battery.Check("corrupt-streams-refused", CorruptStreams);
        battery.Check("foreign-type-stream-refused", ForeignTypeStream);
        battery.Check("kill-save-then-resume", KillSaveThenResume);
        battery.Check("kill-load-then-abort", KillLoadThenAbort);
        battery.Check("conform", Conform);
        RunVmmChecks();
        battery.Check("no-unhandled-exception", NoCrash);
        battery.Check("remove-restores-instances", RemoveAll);
    }

    // ---------------------------------------------------------------------------------------------- verbs --

    private string Environment_()
    {
        Require(File.Exists("/dev/vfio/vfio"), "/dev/vfio/vfio is missing: the vfio module is not loaded");
        Require(Directory.Exists(TypesDir), $"{TypesDir} is missing: the mtty module is not loaded");
        string[] ssl = Directory.GetFiles("/usr/lib/x86_64-linux-gnu", "libssl*");
        string[] icu = Directory.GetFiles("/usr/lib/x86_64-linux-gnu", "libicu*");
        Require(ssl.Length == 0 && icu.Length == 0, $"the guest is meant to have no libssl or ICU, like a minimal hypervisor image; found {string.Join(", ", ssl.Concat(icu))}");
        return $"Linux {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, mtty-1 {_initial["mtty-1"]} and mtty-2 {_initial["mtty-2"]} free, no libssl, no ICU";
    }

    private string Types()
    {
        VfioctlResult r = Ok(vfioctl.Run("types"));
        foreach (string type in new[] { "mtty-1", "mtty-2" })
        {
            string? row = r.Stdout.Split('\n').FirstOrDefault(l => Regex.IsMatch(l, $@"\b{type}\b"));
            Require(row is not null, $"types lists no {type}:\n{r.Stdout}");
            Require(Regex.IsMatch(row!, $@"\b{_initial[type]}\b"), $"types shows '{row}' but sysfs says {_initial[type]} available");
            Require(row!.Contains(Model, StringComparison.Ordinal), $"types shows no model for {type}: '{row}'");
        }
        return "mtty-1 and mtty-2 listed with sysfs's available_instances and the manifest's model";
    }

    private string StartPinned()
    {
        _src = StartDevice("mtty-2");
        Require(Directory.Exists($"/sys/bus/mdev/devices/{_src}"), $"start printed {_src} but /sys/bus/mdev/devices has no such device");
        Require(Available("mtty-2") == _initial["mtty-2"] - 1, $"mtty-2 available_instances is {Available("mtty-2")}, expected {_initial["mtty-2"] - 1}");
        _dst = StartDevice("mtty-2");
        return $"created {_src} and {_dst}; mtty-2 available {_initial["mtty-2"]} -> {Available("mtty-2")}";
    }

    private string StartRefusesPorts1()
    {
        int before = Available("mtty-2"), devices = Devices().Count;
        VfioctlResult r = Refused(vfioctl.Run("start", "-p", Parent, "-t", "mtty-2", "--config", "ports=1"), "E2007");
        Require(Available("mtty-2") == before && Devices().Count == devices, "a refused start left a device behind");
        return r.Summary;
    }

    private string ListShowsModel()
    {
        VfioctlResult r = Ok(vfioctl.Run("list"));
        string? row = r.Stdout.Split('\n').FirstOrDefault(l => l.Contains(_src, StringComparison.Ordinal));
        Require(row is not null, $"list does not show {_src}:\n{r.Stdout}");
        Require(row!.Contains(Model, StringComparison.Ordinal) && row.Contains("ports=2", StringComparison.Ordinal),
            $"list shows no model or configuration for a running mtty device: '{row.Trim()}'");
        return row.Trim();
    }

    private string Describe()
    {
        VfioctlResult r = Ok(vfioctl.Run("describe", _src));
        Require(r.Stdout.Contains("STOP_COPY|P2P|PRE_COPY", StringComparison.Ordinal), $"describe shows other flags:\n{r.Stdout}");
        Require(DescribedState(r) == "RUNNING", $"describe shows state {DescribedState(r)}, expected RUNNING");
        Require(r.Stdout.Contains(Model, StringComparison.Ordinal), "describe names no model");
        return "v2, STOP_COPY|P2P|PRE_COPY, RUNNING, model " + Model;
    }

    private string Models()
    {
        VfioctlResult r = Ok(vfioctl.Run("models"));
        Require(r.Stdout.Contains(Model, StringComparison.Ordinal), $"models does not list {Model}:\n{r.Stdout}");
        return "listed " + Model + " on a host without libssl";
    }

    private string Capabilities()
    {
        VfioctlResult r = Ok(vfioctl.Run("capabilities"));
        Require(r.Stdout.Contains("mtty-2", StringComparison.Ordinal) && r.Stdout.Contains(Model, StringComparison.Ordinal), $"capabilities omits mtty:\n{r.Stdout}");
        return $"{r.Stdout.Length} characters naming both types";
    }

    private string CheckAgainstMtty1()
    {
        // check reports problems on stdout and exits 2 (incompatible), naming each problem's code.
        VfioctlResult refused = vfioctl.Run("check", "-u", _src, "--to-type", "mtty/mtty-1");
        Require(refused.ExitCode == 2 && refused.Stdout.Contains("E3003", StringComparison.Ordinal), $"expected exit 2 naming E3003; {refused.Summary}\n{refused.Stdout}{refused.Stderr}");
        Ok(vfioctl.Run("check", "-u", _src, "--to-type", "mtty/mtty-2"));
        string problem = refused.Stdout.Split('\n').First(l => l.Contains("E3003", StringComparison.Ordinal)).Trim();
        return $"against mtty-1: exit 2, {problem}; against mtty-2: exit 0";
    }

    private string DefineStartStopUndefine()
    {
        string uuid = Ok(vfioctl.Run("define", "-p", Parent, "-t", "mtty-2")).Stdout.Trim();
        Require(Guid.TryParse(uuid, out _), $"define printed '{uuid}', not a UUID");
        Require(Ok(vfioctl.Run("list", "--defined")).Stdout.Contains(uuid, StringComparison.Ordinal), "list --defined does not show the definition");
        Ok(vfioctl.Run("start", "-u", uuid));
        Require(Directory.Exists($"/sys/bus/mdev/devices/{uuid}"), "start -u created no device");
        Ok(vfioctl.Run("stop", "-u", uuid));
        Require(!Directory.Exists($"/sys/bus/mdev/devices/{uuid}"), "stop left the device");
        Ok(vfioctl.Run("undefine", "-u", uuid));
        Require(!Ok(vfioctl.Run("list", "--defined")).Stdout.Contains(uuid, StringComparison.Ordinal), "undefine left the definition");
        return $"{uuid}: defined, started, stopped, undefined";
    }

    // ------------------------------------------------------------------------------------------ migration --

    /// <summary>
    /// Writes <paramref name="state"/> into the source's registers and FIFO, moves it with vfioctl, and reads it back
    /// from the destination; the source is retired with <c>abort</c> and the two swap roles for the next check.
    /// </summary>
    private string Migrate(PortState state, bool preCopy, bool pipe)
    {
        var own = new PortState(0x11, 0x22, "own");
        using (MttyPorts src = MttyPorts.Open(opener, _src)) { state.WriteTo(src); }
        using (MttyPorts dst = MttyPorts.Open(opener, _dst)) { own.WriteTo(dst); }

        string[] save = preCopy ? ["save", _src] : ["save", _src, "--no-precopy"];
        // The destination ran (its own registers were written): on the kernel every existing device has, so --force (E6041).
        string[] load = ["load", _dst, "--force"];
        string moved;
        if (pipe)
        {
            (VfioctlResult saved, VfioctlResult loaded) = vfioctl.Pipe(save, [.. load, "-i", "-"]);
            Ok(saved);
            Ok(loaded);
            moved = "through a pipe";
        }
        else
        {
            string file = Path.Join(scratch, $"{_src}.stream");
            File.Delete(file);
            Ok(vfioctl.Run([.. save, "-o", file]));
            Ok(vfioctl.Run([.. load, "-i", file]));
            moved = $"{new FileInfo(file).Length} B stream file";
        }
        string srcState = DescribedState(Ok(vfioctl.Run("describe", _src)));
        Require(srcState == "STOP", $"after save the source is {srcState}, expected STOP");

        PortState got;
        using (MttyPorts dst = MttyPorts.Open(opener, _dst))
        {
            Require(dst.State == MigrationState.Running, $"the destination is {dst.State} after load, expected RUNNING");
            got = PortState.ReadFrom(dst);
        }
        Require(got == state, $"source had {state}; destination has {got}");
        Ok(vfioctl.Run("abort", _src));
        (_src, _dst) = (_dst, _src);
        return $"{state} moved ({moved}, {(preCopy ? "with" : "without")} pre-copy) and read back equal; source STOP, then retired";
    }

    private string CorruptStreams()
    {
        var theirs = new PortState(0xc3, 0x3c, "X");
        byte[] good = SaveAndResume(_src, theirs);
        var own = new PortState(0x11, 0x22, "");
        using (MttyPorts dst = MttyPorts.Open(opener, _dst)) { own.WriteTo(dst); }

        var outcomes = new List<string>();
        foreach ((string name, byte[] bad) in StreamCorruptions.All(good))
        {
            string file = Path.Join(scratch, $"corrupt-{name}.stream");
            File.WriteAllBytes(file, bad);
            VfioctlResult r = vfioctl.Run("load", _dst, "-i", file, "--force");
            Require(r.ExitCode != 0 && r.ErrorCode is not null && !r.Crashed, $"{name}: {r.Summary}\n{r.Stderr}");
            outcomes.Add($"{name} {r.ErrorCode}");
            RequireOwnState(_dst, own, theirs, name);
        }
        return $"{outcomes.Count} classes refused: {string.Join(", ", outcomes)}";
    }

    /// <summary>
    /// A stream saved from an mtty-1 (one port) loaded into an mtty-2 (two ports). Both types run one model whose only
    /// parameter sits at its off value, so the header's canonical configuration is empty on both sides and the header
    /// check cannot tell them apart; the kernel's own check of nr_ports refuses the data. What must hold is that the
    /// load fails with a catalogued code and the destination never runs foreign state.
    /// </summary>
    private string ForeignTypeStream()
    {
        string single = StartDevice("mtty-1");
        using (MttyPorts one = MttyPorts.Open(opener, single))
        {
            one.SetScratch(0, 0x99);   // mtty-1 has one port: BAR0 only
        }
        byte[] stream = SaveAndResume(single, null);
        string file = Path.Join(scratch, "mtty-1.stream");
        File.WriteAllBytes(file, stream);
        var own = new PortState(0x11, 0x22, "");
        using (MttyPorts dst = MttyPorts.Open(opener, _dst)) { own.WriteTo(dst); }
        VfioctlResult r = vfioctl.Run("load", _dst, "-i", file, "--force");
        Require(r.ExitCode != 0 && r.ErrorCode is not null && !r.Crashed, $"{r.Summary}\n{r.Stderr}");
        RequireOwnState(_dst, own, new PortState(0x99, 0, ""), "mtty-1 stream");
        Ok(vfioctl.Run("stop", "-u", single));
        _created.Remove(single);
        return r.Summary;
    }

    private string KillSaveThenResume()
    {
        var state = new PortState(0x7e, 0xe7, "KILL");
        using (MttyPorts src = MttyPorts.Open(opener, _src)) { state.WriteTo(src); }
        string file = Path.Join(scratch, "killed.stream");
        string paused = KillAt(["save", _src, "--no-precopy", "-o", file], "StopCopyEntered", stdinFile: null);
        VfioctlResult resumed = Ok(vfioctl.Run("resume", _src));
        PortState got;
        using (MttyPorts src = MttyPorts.Open(opener, _src))
        {
            Require(src.State == MigrationState.Running, $"after resume the source is {src.State}");
            got = PortState.ReadFrom(src);
        }
        Require(got == state, $"the source had {state} before the kill and {got} after resume");
        return $"{paused}; resume: exit {resumed.ExitCode}; source RUNNING with its state intact ({got})";
    }

    private string KillLoadThenAbort()
    {
        byte[] good = SaveAndResume(_src, new PortState(0x42, 0x24, "Z"));
        var own = new PortState(0x11, 0x22, "");
        using (MttyPorts dst = MttyPorts.Open(opener, _dst)) { own.WriteTo(dst); }
        string file = Path.Join(scratch, "for-killed-load.stream");
        File.WriteAllBytes(file, good);
        string paused = KillAt(["load", _dst, "-i", file, "--force"], "ResumingEntered", stdinFile: null);
        // abort resets the destination and leaves it stopped: whatever the partial load wrote is discarded, nothing runs.
        VfioctlResult aborted = vfioctl.Run("abort", _dst);
        Require(aborted.ExitCode == 0 && !aborted.Crashed, aborted.Summary + "\n" + aborted.Stderr);
        using (MttyPorts dst = MttyPorts.Open(opener, _dst))
        {
            Require(dst.State == MigrationState.Stop, $"after abort the destination is {dst.State}, expected STOP (reset, then stopped)");
            Require(dst.GetScratch(0) == own.Scratch0, $"after abort the destination's SCR0 is 0x{dst.GetScratch(0):x2}, not its own 0x{own.Scratch0:x2}");
        }
        return $"{paused}; abort: exit 0; destination reset and STOP with its own registers, nothing of the partial load";
    }

    /// <summary>The driver conformance kit on the kernel's own driver: every check must pass (warnings and skips allowed).</summary>
    private string Conform()
    {
        string uuid = StartDevice("mtty-2");
        var state = new PortState(0x3a, 0xa3, "CONF");
        using (MttyPorts ports = MttyPorts.Open(opener, uuid)) { state.WriteTo(ports); }
        VfioctlResult r = vfioctl.Run("conform", uuid, "--json");
        using var report = System.Text.Json.JsonDocument.Parse(r.Stdout);
        System.Text.Json.JsonElement summary = report.RootElement.GetProperty("summary");
        string counts = $"{summary.GetProperty("pass")} pass, {summary.GetProperty("warn")} warn, {summary.GetProperty("fail")} fail, {summary.GetProperty("skip")} skip";
        string[] notPassed = [.. report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("result").GetString() != "pass")
            .Select(c => $"{c.GetProperty("name").GetString()} {c.GetProperty("result").GetString()}: {c.GetProperty("detail").GetString()}")];
        Require(r.ExitCode == 0 && report.RootElement.GetProperty("passed").GetBoolean(), $"{r.Summary}; {counts}\n{string.Join("\n", notPassed)}");
        PortState after;
        using (MttyPorts ports = MttyPorts.Open(opener, uuid))
        {
            Require(ports.State == MigrationState.Running, $"conform left the device {ports.State}");
            after = PortState.ReadFrom(ports);
        }
        Require(after == state, $"conform promises the device's own state back: had {state}, has {after}");
        Ok(vfioctl.Run("stop", "-u", uuid));
        _created.Remove(uuid);
        return $"{counts}; device RUNNING with its own state after the run; not passed: {(notPassed.Length == 0 ? "none" : string.Join("; ", notPassed))}";
    }

    private string NoCrash()
    {
        VfioctlResult[] crashed = [.. vfioctl.History.Where(r => r.Crashed)];
        Require(crashed.Length == 0, string.Join("\n", crashed.Select(r => r.Summary + "\n" + r.Stderr)));
        return $"{vfioctl.History.Count} vfioctl runs, none ended in an unhandled exception";
    }

    private string RemoveAll()
    {
        foreach (string uuid in _created.ToArray())
        {
            Ok(vfioctl.Run("stop", "-u", uuid));
            _created.Remove(uuid);
        }
        Require(Devices().Count == 0, $"devices left: {string.Join(", ", Devices())}");
        foreach ((string type, int count) in _initial)
        {
            Require(Available(type) == count, $"{type} available_instances is {Available(type)}, {count} before the battery");
        }
        return $"every device removed; mtty-1 {Available("mtty-1")} and mtty-2 {Available("mtty-2")} available, as before";
    }

    // ---------------------------------------------------------------------------------------------- helpers --

    private string StartDevice(string type)
    {
        string uuid = Ok(vfioctl.Run("start", "-p", Parent, "-t", type)).Stdout.Trim();
        Require(Guid.TryParse(uuid, out _), $"start printed '{uuid}', not a UUID");
        _created.Add(uuid);
        return uuid;
    }

    /// <summary>Saves a device (with <paramref name="state"/> written first, if given) and forces it running again: a good
    /// stream that no destination runs.</summary>
    private byte[] SaveAndResume(string uuid, PortState? state)
    {
        if (state is not null)
        {
            using MttyPorts ports = MttyPorts.Open(opener, uuid);
            state.WriteTo(ports);
        }
        string file = Path.Join(scratch, $"{uuid}.good.stream");
        File.Delete(file);
        Ok(vfioctl.Run("save", uuid, "--no-precopy", "-o", file));
        // A whole stream was written, so the source's state counts as moved away (E6030): the battery knows the stream
        // is never loaded anywhere that runs it, which is what --force is for.
        Ok(vfioctl.Run("resume", "--force", uuid));
        return File.ReadAllBytes(file);
    }

    /// <summary>A refused load must leave the destination without the source's state running: either not RUNNING, or
    /// RUNNING with its own registers. A destination left in any state but RUNNING or STOP is reset with abort, so the
    /// next case starts from a state a load accepts.</summary>
    private void RequireOwnState(string uuid, PortState own, PortState theirs, string what)
    {
        MigrationState state;
        byte scratch0;
        using (MttyPorts ports = MttyPorts.Open(opener, uuid))
        {
            state = ports.State;
            scratch0 = ports.GetScratch(0);
        }
        Require(state != MigrationState.Running || scratch0 == own.Scratch0,
            $"{what}: the destination is RUNNING with SCR0=0x{scratch0:x2} (its own 0x{own.Scratch0:x2}, the stream's 0x{theirs.Scratch0:x2})");
        if (state is not (MigrationState.Running or MigrationState.Stop))
        {
            Ok(vfioctl.Run("abort", uuid));
        }
    }

    /// <summary>Starts vfioctl paused at a migration checkpoint, kills it with SIGKILL there, and says where.</summary>
    private string KillAt(string[] args, string checkpoint, string? stdinFile)
    {
        string marker = Path.Join(scratch, $"pause-{checkpoint}");
        File.Delete(marker);
        var environment = new Dictionary<string, string>
        {
            ["VFIOCTL_PAUSE_AT"] = checkpoint,
            ["VFIOCTL_PAUSE_MARKER"] = marker,
            ["VFIOCTL_TEST_HOOKS"] = "1",
        };
        using Process process = vfioctl.Start(args, redirectStdin: stdinFile is not null, environment);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(marker) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(100);
        }
        Require(File.Exists(marker), $"vfioctl {string.Join(' ', args)} never reached {checkpoint}: {(process.HasExited ? "exit " + process.ExitCode + ": " + process.StandardError.ReadToEnd() : "timed out")}");
        process.Kill();
        process.WaitForExit();
        return $"vfioctl {args[0]} killed with SIGKILL at {checkpoint}";
    }

    private static VfioctlResult Ok(VfioctlResult r)
    {
        Require(r.ExitCode == 0, $"{r.Summary}\n{r.Stderr}");
        return r;
    }

    private static VfioctlResult Refused(VfioctlResult r, string code)
    {
        Require(r.ExitCode != 0 && r.ErrorCode == code && !r.Crashed, $"expected {code}; {r.Summary}\n{r.Stderr}");
        return r;
    }

    private static string DescribedState(VfioctlResult r) =>
        Regex.Match(r.Stdout, @"^state\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "(none)";

    private static int Available(string type) =>
        int.Parse(File.ReadAllText($"{TypesDir}/{type}/available_instances").Trim(), CultureInfo.InvariantCulture);

    private static List<string> Devices() =>
        Directory.Exists("/sys/bus/mdev/devices") ? [.. Directory.GetFileSystemEntries("/sys/bus/mdev/devices").Select(Path.GetFileName).OfType<string>()] : [];
}

/// <summary>The corruption classes of the envelope (docs/stream-format.md), each made from one good stream.</summary>
internal static class StreamCorruptions
{
    public static IEnumerable<(string Name, byte[] Stream)> All(byte[] good)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(16));
        int data = 12 + 12 + headerLength;          // the first data record
        int payload = data + 12;                     // its first byte of device data
        int end = good.Length - 28;                  // the end record
        yield return ("empty", []);
        yield return ("truncated-in-header", good[..20]);
        yield return ("truncated-in-data", good[..(payload + 48)]);
        yield return ("truncated-before-end", good[..end]);
        yield return ("magic", Flip(good, 0));
        yield return ("major-version", Set(good, 8, 2));
        yield return ("header-payload", Flip(good, 24 + 3));
        yield return ("record-kind", Set(good, data, 9));
        yield return ("data-length-oversized", SetU32(good, data + 4, 0xfffffff0));
        yield return ("data-payload", Flip(good, payload + 40));
        yield return ("end-payload", Flip(good, good.Length - 3));
        yield return ("trailing-garbage", [.. good, 0x42]);
    }

    private static byte[] Flip(byte[] good, int at) => Set(good, at, (byte)(good[at] ^ 0xff));

    private static byte[] Set(byte[] good, int at, byte value)
    {
        byte[] copy = (byte[])good.Clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] SetU32(byte[] good, int at, uint value)
    {
        byte[] copy = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
        return copy;
    }
}
