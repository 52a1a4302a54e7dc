using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Reliability.Faults;
using Vfio.Samples.Nic;
using Vfio.Tests.Support;

namespace Vfio.Reliability.MigrationSafety;

/// <summary>What one attack came to: held, or the rules it broke.</summary>
internal sealed record MigrationSafetyResult(string Class, string Attack, bool Held, IReadOnlyList<string> Problems, TimeSpan Elapsed);

/// <summary>
/// The migration-safety attacks of docs/reliability.md ("Migration safety: split brain, signals, crash consistency"),
/// each on a fresh emulated host through real vfioctl processes:
/// <list type="bullet">
/// <item><b>split brain</b>: after a migration that completed (same host, two hosts, <c>save | load</c>, a saved
/// stream) <c>resume</c> of the source must be refused with E6030 and leave exactly the destination running;</item>
/// <item><b>signals</b>: SIGINT, SIGTERM or SIGHUP during save (blocked on a pipe), load (waiting for input) and
/// migrate (at a checkpoint) must roll back: exit 128 + signal with E6014, source RUNNING, destination absent, no
/// journal entry;</item>
/// <item><b>crash consistency</b>: a process killed after any durable write of a create or remove must leave every
/// <c>available_instances</c> equal to capacity minus the devices (and the shared pool's units minus what its devices hold).</item>
/// </list>
/// Every vfioctl process must also end without an unhandled exception.
/// </summary>
internal sealed partial class MigrationSafetyAttacks(VfioctlProcess cli, string workRoot)
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "5a000000-0000-4000-8000-000000000001";
    private const string Destination = "5a000000-0000-4000-8000-000000000002";
    private const string Running = "RUNNING";
    private int _hosts;

    /// <summary>Every attack, by class.</summary>
    public IReadOnlyList<(string Class, string Name, Func<Attack, Task> Run)> All() =>
    [
        ("split-brain", "migrate on one host, then resume", a => ResumeAfterMigrateAsync(a, otherHost: false)),
        ("split-brain", "migrate --to-root another host, then resume", a => ResumeAfterMigrateAsync(a, otherHost: true)),
        ("split-brain", "save | load on one host, then resume", ResumeAfterPipeAsync),
        ("split-brain", "save -o FILE (loaded nowhere yet), then resume", ResumeAfterSaveAsync),
        ("split-brain", "migrate, then resume --force while the destination runs", ForceWhileDestinationRunsAsync),
        ("signals", "SIGINT to save blocked on a pipe nobody drains", SigintSaveOnPipeAsync),
        ("signals", "SIGTERM to migrate at StopCopyEntered", a => SignalMigrateAsync(a, "StopCopyEntered", Posix.SIGTERM, 143)),
        ("signals", "SIGINT to migrate at DestinationLoaded", a => SignalMigrateAsync(a, "DestinationLoaded", Posix.SIGINT, 130)),
        ("signals", "SIGHUP to migrate at SourceStopped", a => SignalMigrateAsync(a, "SourceStopped", Posix.SIGHUP, 129)),
        ("signals", "SIGTERM to save at StreamChunkWritten", SignalSaveAtCheckpointAsync),
        ("signals", "SIGHUP to load waiting for the rest of the stream", SighupLoadAsync),
        ("crash-consistency", "create killed after each durable write (own count)", a => CrashAsync(a, "create", pooled: false)),
        ("crash-consistency", "create killed after each durable write (shared port pool)", a => CrashAsync(a, "create", pooled: true)),
        ("crash-consistency", "remove killed after each durable write (own count)", a => CrashAsync(a, "remove", pooled: false)),
        ("crash-consistency", "remove killed after each durable write (shared port pool)", a => CrashAsync(a, "remove", pooled: true)),
    ];

    public async Task<MigrationSafetyResult> RunAsync(string @class, string name, Func<Attack, Task> run)
    {
        var clock = Stopwatch.StartNew();
        var attack = new Attack(this);
        try
        {
            await run(attack).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or VfioException)
        {
            attack.Problems.Add($"harness: {e.GetType().Name}: {e.Message}");
        }
        foreach (ProcessResult p in attack.Processes.Where(p => p.Err.Contains("Unhandled exception", StringComparison.Ordinal)))
        {
            attack.Problems.Add($"unhandled exception: {p.Command}");
        }
        return new MigrationSafetyResult(@class, name, attack.Problems.Count == 0, attack.Problems, clock.Elapsed);
    }

    /// <summary>One attack's hosts, processes and findings.</summary>
    internal sealed class Attack(MigrationSafetyAttacks owner)
    {
        public List<string> Problems { get; } = [];

        public List<ProcessResult> Processes { get; } = [];

        public MigrationSafetyAttacks Owner { get; } = owner;

        public void Expect(bool held, string problem)
        {
            if (!held)
            {
                Problems.Add(problem);
            }
        }
    }

    private async Task<string> NewHostAsync(Attack attack, bool withSource = true)
    {
        string host = Path.Join(workRoot, "hosts", Interlocked.Increment(ref _hosts).ToString("D3", CultureInfo.InvariantCulture));
        new EmulatedHostBuilder(host).AddPlugin(SamplePlugins.Path).AddType(ParentDeviceName.Parse(Parent), MdevTypeName.Parse(Type), "My NIC, 4 queues", 4,
            NicImplementations.Current, "vendor-a.com/my-nic sample NIC");
        if (withSource)
        {
            await MustAsync(attack, host, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=1").ConfigureAwait(false);
            await MustAsync(attack, host, "traffic", Source, "-n", "800", "--seed", "13").ConfigureAwait(false);
        }
        return host;
    }

    private async Task<ProcessResult> RunAsync(Attack attack, string host, params string[] args)
    {
        ProcessResult result = await cli.RunAsync(["--emulated", host, .. args]).ConfigureAwait(false);
        attack.Processes.Add(result);
        return result;
    }

    private async Task MustAsync(Attack attack, string host, params string[] args)
    {
        ProcessResult result = await RunAsync(attack, host, args).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"vfioctl {result.Command} exited {result.ExitCode}: {result.Err}");
        }
    }

    private async Task<string?> StateAsync(Attack attack, string host, string uuid)
    {
        ProcessResult describe = await RunAsync(attack, host, "describe", uuid, "--open").ConfigureAwait(false);
        return describe.ExitCode != 0 ? null : StateLine().Match(describe.Out) is { Success: true } m ? m.Groups[1].Value : "unknown";
    }

    private static bool NoJournal(string host)
    {
        string journal = Path.Join(host, "var", "lib", "vfio-migrate", "journal");
        return !Directory.Exists(journal) || !Directory.EnumerateFileSystemEntries(journal).Any();
    }

    // Split brain: resume of a source whose migration completed is refused, and only the destination runs.
    private async Task ExpectRefusedAsync(Attack attack, string host, string destinationHost)
    {
        ProcessResult resume = await RunAsync(attack, host, "resume", Source).ConfigureAwait(false);
        attack.Expect(resume.ExitCode == 1 && resume.Err.Contains("error E6030 state-moved-away", StringComparison.Ordinal),
            $"resume after a completed migration: exit {resume.ExitCode}, expected 1 with E6030: {Tail(resume.Err)}");
        string? source = await StateAsync(attack, host, Source).ConfigureAwait(false);
        string? destination = await StateAsync(attack, destinationHost, Destination).ConfigureAwait(false);
        attack.Expect(source != Running && destination == Running, $"not exactly the destination running: source {source ?? "absent"}, destination {destination ?? "absent"}");
    }

    private async Task ResumeAfterMigrateAsync(Attack attack, bool otherHost)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        string destinationHost = otherHost ? await NewHostAsync(attack, withSource: false).ConfigureAwait(false) : host;
        string[] to = otherHost ? ["--to-root", destinationHost] : [];
        await MustAsync(attack, host, ["migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination, .. to]).ConfigureAwait(false);
        await ExpectRefusedAsync(attack, host, destinationHost).ConfigureAwait(false);
    }

    private async Task ResumeAfterPipeAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        using Process save = cli.Start(["--emulated", host, "save", Source]);
        using Process load = cli.Start(["--emulated", host, "load", Destination, "-p", Parent, "-t", Type], keepInput: true);
        Task<string> saveErr = save.StandardError.ReadToEndAsync();
        Task<string> loadErr = load.StandardError.ReadToEndAsync();
        Task<string> loadOut = load.StandardOutput.ReadToEndAsync();
        await save.StandardOutput.BaseStream.CopyToAsync(load.StandardInput.BaseStream).ConfigureAwait(false);
        load.StandardInput.Close();
        await cli.WaitAsync(save).ConfigureAwait(false);
        await cli.WaitAsync(load).ConfigureAwait(false);
        attack.Processes.Add(new ProcessResult("save", save.ExitCode, "", await saveErr.ConfigureAwait(false), false, false));
        attack.Processes.Add(new ProcessResult("load", load.ExitCode, await loadOut.ConfigureAwait(false), await loadErr.ConfigureAwait(false), false, false));
        if (save.ExitCode != 0 || load.ExitCode != 0)
        {
            throw new InvalidOperationException($"save | load failed: {save.ExitCode}/{load.ExitCode}");
        }
        await ExpectRefusedAsync(attack, host, host).ConfigureAwait(false);
    }

    private async Task ResumeAfterSaveAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        await MustAsync(attack, host, "save", Source, "-o", Path.Join(host, "s.bin")).ConfigureAwait(false);
        ProcessResult resume = await RunAsync(attack, host, "resume", Source).ConfigureAwait(false);
        attack.Expect(resume.ExitCode == 1 && resume.Err.Contains("E6030", StringComparison.Ordinal), $"resume after a whole save: exit {resume.ExitCode}, expected E6030");
        // The operator saw no load anywhere: --force runs it, loudly.
        ProcessResult forced = await RunAsync(attack, host, "resume", "--force", Source).ConfigureAwait(false);
        attack.Expect(forced.ExitCode == 0 && forced.Err.Contains("warning E6030", StringComparison.Ordinal), $"resume --force: exit {forced.ExitCode}: {Tail(forced.Err)}");
        attack.Expect(File.Exists(Path.Join(host, "var", "lib", "vfio-migrate", "migration.log")), "resume --force left no line in the migration log");
        attack.Expect(await StateAsync(attack, host, Source).ConfigureAwait(false) == Running, "the forced source does not run");
    }

    private async Task ForceWhileDestinationRunsAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        await MustAsync(attack, host, "migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination).ConfigureAwait(false);
        ProcessResult forced = await RunAsync(attack, host, "resume", "--force", Source).ConfigureAwait(false);
        attack.Expect(forced.ExitCode == 1 && forced.Err.Contains("E6030", StringComparison.Ordinal), $"resume --force with the destination running: exit {forced.ExitCode}");
        attack.Expect(await StateAsync(attack, host, Source).ConfigureAwait(false) != Running, "the source runs beside its destination");
    }

    // Signals: the verb rolls back and exits 128 + the signal; source RUNNING, destination absent, no journal.
    private async Task ExpectRolledBackAsync(Attack attack, string host, Process process, Task<string> error, int expectedExit, string what)
    {
        bool ended = await cli.WaitAsync(process).ConfigureAwait(false);
        string err = await error.ConfigureAwait(false);
        attack.Processes.Add(new ProcessResult(what, ended ? process.ExitCode : -1, "", err, false, !ended));
        attack.Expect(ended, $"{what}: hung after the signal");
        attack.Expect(ended && process.ExitCode == expectedExit && err.Contains("error E6014 migration-cancelled", StringComparison.Ordinal),
            $"{what}: exit {(ended ? process.ExitCode : -1)}, expected {expectedExit} with E6014: {Tail(err)}");
        attack.Expect(await StateAsync(attack, host, Source).ConfigureAwait(false) == Running, $"{what}: the source does not run");
        attack.Expect(await StateAsync(attack, host, Destination).ConfigureAwait(false) is null, $"{what}: the destination is left");
        attack.Expect(NoJournal(host), $"{what}: a journal entry is left");
    }

    private async Task SigintSaveOnPipeAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        using Process save = cli.Start(["--emulated", host, "save", Source, "--chunk-size", "4096"]);
        Task<string> error = save.StandardError.ReadToEndAsync();
        // Nobody drains stdout, so the save blocks once the pipe is full. vfioctl grows a pipe left at the kernel's
        // 64 KiB to 1 MiB, where this device's ~66 KB stream would fit whole; one sized here first (one page, while
        // the child still starts its runtime) is left as it is, and the save blocks in its first records.
        if (save.StandardOutput.BaseStream is not System.IO.Pipes.PipeStream stdout || Posix.SetPipeSize(stdout.SafePipeHandle, 4096) != 4096)
        {
            throw new InvalidOperationException("the save's stdout is not a pipe that can be cut to one page");
        }
        await WaitUntilBlockedAsync(save, () => File.Exists(Path.Join(host, "var", "lib", "vfio-migrate", "journal", Source + ".json"))).ConfigureAwait(false);
        Signal(save, Posix.SIGINT);
        Task drain = save.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await ExpectRolledBackAsync(attack, host, save, error, 130, "save blocked on a pipe, SIGINT").ConfigureAwait(false);
        await drain.ConfigureAwait(false);
    }

    private async Task SignalMigrateAsync(Attack attack, string checkpoint, int signal, int exit)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        string marker = Path.Join(host, "pause.marker");
        using Process migrate = cli.Start(["--emulated", host, "migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination],
            VfioctlProcess.PauseEnvironment(checkpoint, marker));
        Task<string> error = migrate.StandardError.ReadToEndAsync();
        await WaitForMarkerAsync(migrate, marker).ConfigureAwait(false);
        Signal(migrate, signal);
        await ExpectRolledBackAsync(attack, host, migrate, error, exit, $"migrate at {checkpoint}, signal {signal}").ConfigureAwait(false);
    }

    private async Task SignalSaveAtCheckpointAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        string marker = Path.Join(host, "pause.marker");
        string output = Path.Join(host, "s.bin");
        using Process save = cli.Start(["--emulated", host, "save", Source, "-o", output, "--chunk-size", "4096"], VfioctlProcess.PauseEnvironment("StreamChunkWritten#3", marker));
        Task<string> error = save.StandardError.ReadToEndAsync();
        await WaitForMarkerAsync(save, marker).ConfigureAwait(false);
        Signal(save, Posix.SIGTERM);
        await ExpectRolledBackAsync(attack, host, save, error, 143, "save at StreamChunkWritten#3, SIGTERM").ConfigureAwait(false);
        attack.Expect(!File.Exists(output) && !File.Exists(output + ".partial"), "a cancelled save left a stream file");
    }

    private async Task SighupLoadAsync(Attack attack)
    {
        string host = await NewHostAsync(attack).ConfigureAwait(false);
        string other = await NewHostAsync(attack).ConfigureAwait(false);
        string stream = Path.Join(other, "s.bin");
        await MustAsync(attack, other, "save", Source, "-o", stream, "--chunk-size", "4096").ConfigureAwait(false);
        byte[] bytes = await File.ReadAllBytesAsync(stream).ConfigureAwait(false);
        using Process load = cli.Start(["--emulated", host, "load", Destination, "-p", Parent, "-t", Type], keepInput: true);
        Task<string> error = load.StandardError.ReadToEndAsync();
        Task<string> output = load.StandardOutput.ReadToEndAsync();
        await load.StandardInput.BaseStream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2)).ConfigureAwait(false);
        await load.StandardInput.BaseStream.FlushAsync().ConfigureAwait(false);
        await WaitUntilBlockedAsync(load, () => Directory.Exists(Path.Join(host, "sys", "bus", "mdev", "devices", Destination))).ConfigureAwait(false);
        Signal(load, Posix.SIGHUP);
        await ExpectRolledBackAsync(attack, host, load, error, 129, "load waiting for input, SIGHUP").ConfigureAwait(false);
        await output.ConfigureAwait(false);
    }

    private static async Task WaitForMarkerAsync(Process process, string marker)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException($"vfioctl never reached its pause ({marker})");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    // Blocked: started, and no byte written (/proc/<pid>/io wchar) for a second.
    private static async Task WaitUntilBlockedAsync(Process process, Func<bool> started)
    {
        var clock = Stopwatch.StartNew();
        var still = Stopwatch.StartNew();
        long last = -1;
        while (true)
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException("vfioctl ended (or never blocked) before the signal");
            }
            long written = File.ReadLines($"/proc/{process.Id}/io").Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
                .Select(l => long.Parse(l[6..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            if (written != last || !started())
            {
                last = written;
                still.Restart();
            }
            else if (still.Elapsed > TimeSpan.FromSeconds(1))
            {
                return;
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static void Signal(Process process, int signal)
    {
        if (Posix.Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Posix.Errno}");
        }
    }

    // Crash consistency: a child of this tool does one create or remove and kills itself after the n-th durable write.
    private async Task CrashAsync(Attack attack, string operation, bool pooled)
    {
        for (int point = 1; point < 64; point++)
        {
            string host = Path.Join(workRoot, "hosts", Interlocked.Increment(ref _hosts).ToString("D3", CultureInfo.InvariantCulture));
            MdevHost manager = MigrationSafetyCrashChild.Build(host).Tree;
            (ParentDeviceName parent, MdevTypeName type) = pooled ? (MigrationSafetyCrashChild.Mtty, MigrationSafetyCrashChild.Dual) : (MigrationSafetyCrashChild.Nic, MigrationSafetyCrashChild.NicType);
            MdevUuid victim = MdevUuid.NewUuid();
            if (operation == "remove")
            {
                manager.Create(parent, type, victim);
            }
            (int exit, string output) = await MigrationSafetyCrashChild.RunAsync(host, operation, $"{parent}/{type}", point, victim.ToString()).ConfigureAwait(false);
            if (exit == 0 && output.StartsWith("completed", StringComparison.Ordinal))
            {
                attack.Expect(point > 4, $"{operation}: only {point - 1} durable write points");
                return;
            }
            attack.Expect(exit == 137, $"{operation} killed at point {point}: the child exited {exit}: {Tail(output)}");
            foreach (string problem in MigrationSafetyCrashChild.CountProblems(manager))
            {
                attack.Problems.Add($"{operation} killed at point {point}: {problem}");
            }
        }
        attack.Problems.Add($"{operation}: more than 63 durable write points");
    }

    private static string Tail(string text)
    {
        string t = text.Trim().ReplaceLineEndings(" | ");
        return t.Length > 300 ? t[^300..] : t;
    }

    [GeneratedRegex(@"(?m)^state\s+(\S+)")]
    private static partial Regex StateLine();
}
