using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Emulation;

namespace Vfio.Reliability.Faults;

/// <summary>What one cell came to.</summary>
internal sealed record CellResult(FaultCell Cell, bool Held, IReadOnlyList<string> Problems, IReadOnlyList<string> Codes, string Outcome,
    string Final, TimeSpan Elapsed, int Processes);

/// <summary>
/// Runs one cell on a fresh copy of its host: arms the fault, runs the step as vfioctl child processes (killing one at
/// its checkpoint, or cutting or corrupting the channel between two), then, from fresh processes only, follows the
/// operator's runbook of docs/reliability.md (resume or abort what the journal names) and checks the four rules:
/// exactly one of source and destination runs, no journal entry is left, the definitions store is unchanged, and
/// every failure was named with a catalogue code (E6018 for a killed process).
/// </summary>
internal sealed partial class CellRunner(FaultHosts hosts, VfioctlProcess cli, string workRoot, bool keep)
{
    private const string Running = "RUNNING";

    public async Task<CellResult> RunAsync(FaultCell cell, int index)
    {
        var clock = Stopwatch.StartNew();
        string dir = Path.Join(workRoot, "cells", index.ToString("D4", CultureInfo.InvariantCulture));
        string host = Path.Join(dir, "host");
        var run = new CellRun(cell, host, dir);
        var problems = new List<string>();
        try
        {
            await FaultHosts.CopyAsync(cell.Step == FaultStep.Load ? hosts.SavedTemplate(cell.Protocol, cell.PreCopy) : hosts.Template(cell.Protocol), host).ConfigureAwait(false);
            SortedDictionary<string, string> definitions = FaultHosts.Definitions(host);
            ArmDevice(cell, host);
            await RunStepAsync(run).ConfigureAwait(false);
            await RecoverAndCheckAsync(run, definitions, problems).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or VfioException)
        {
            problems.Add($"harness: {e.GetType().Name}: {e.Message}");
        }
        bool held = problems.Count == 0;
        if (held && !keep)
        {
            Directory.Delete(dir, recursive: true);
        }
        var codes = run.Step.Concat(run.Recovery).SelectMany(p => CodePattern().Matches(p.Err).Select(m => m.Value)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new CellResult(cell, held, problems, codes, run.Outcome, run.Final, clock.Elapsed, run.All.Count);
    }

    private sealed class CellRun(FaultCell cell, string host, string dir)
    {
        public FaultCell Cell { get; } = cell;
        public string Host { get; } = host;
        public string Dir { get; } = dir;
        public string Destination { get; } = cell.Target == FaultTarget.Destination ? FaultHosts.Existing : FaultHosts.NewDestination;
        public List<ProcessResult> Step { get; } = [];
        public List<ProcessResult> All { get; } = [];
        public List<ProcessResult> Recovery { get; } = [];
        public string Outcome { get; set; } = "";
        public string Final { get; set; } = "";
        public string Output => Path.Join(Dir, "out.bin");
        public string Marker => Path.Join(Dir, "pause.marker");

        public string[] Emulated(params string[] args) => ["--emulated", Host, .. args];

        public string[] PreCopyArgs => Cell.PreCopy ? ["--chunk-size", FaultHosts.ChunkSize] : ["--chunk-size", FaultHosts.ChunkSize, "--no-precopy"];

        public void AddStep(ProcessResult result)
        {
            Step.Add(result);
            All.Add(result);
        }
    }

    private void ArmDevice(FaultCell cell, string host)
    {
        if (cell.Target is not (FaultTarget.Source or FaultTarget.Destination))
        {
            return;
        }
        var faults = new EmulatedFaults();
        switch (cell.Kind)
        {
            case FaultKind.ArcRefused:
                faults.RefuseArc = cell.Arc;
                break;
            case FaultKind.DeviceError:
                faults.ErrorOnArc = cell.Arc;
                break;
            case FaultKind.StreamCut:
                faults.CutStreamAfterBytes = cell.Offset;
                break;
            case FaultKind.CorruptByte:
                faults.CorruptSavedByteAt = cell.Offset < 0 ? hosts.DeviceDataLength(cell.Protocol, cell.PreCopy) + cell.Offset : cell.Offset;
                break;
            default:
                return;
        }
        new EmulatedDeviceFaults(new EmulatedHost(host).Layout).Set(MdevUuid.Parse(cell.Target == FaultTarget.Destination ? FaultHosts.Existing : FaultHosts.Source), faults);
    }

    private async Task RunStepAsync(CellRun run)
    {
        FaultCell cell = run.Cell;
        switch (cell.Step)
        {
            case FaultStep.Save when cell.Kind == FaultKind.StreamCut:
                run.AddStep(await SaveIntoClosingReaderAsync(run).ConfigureAwait(false));
                break;
            case FaultStep.Save:
                run.AddStep(await RunOrKillAsync(run, run.Emulated(["save", FaultHosts.Source, "-o", run.Output, .. run.PreCopyArgs])).ConfigureAwait(false));
                break;
            case FaultStep.Load:
                string stream = Path.Join(run.Host, "stream.bin");
                DamageFile(cell, stream);
                run.AddStep(await RunOrKillAsync(run, run.Emulated(cell.Target == FaultTarget.Destination
                    ? ["load", FaultHosts.Existing, "-i", stream]
                    : ["load", FaultHosts.NewDestination, "-i", stream, "-p", FaultHosts.Parent, "-t", FaultHosts.Type])).ConfigureAwait(false));
                break;
            case FaultStep.Migrate:
                run.AddStep(await RunOrKillAsync(run, run.Emulated(cell.Target == FaultTarget.Destination
                    ? ["migrate", FaultHosts.Source, "--to", FaultHosts.Existing, .. run.PreCopyArgs]
                    : ["migrate", FaultHosts.Source, "--to-type", $"{FaultHosts.Parent}/{FaultHosts.Type}", "--to-uuid", FaultHosts.NewDestination, .. run.PreCopyArgs])).ConfigureAwait(false));
                break;
            case FaultStep.Transfer:
                await TransferAsync(run).ConfigureAwait(false);
                break;
        }
        run.Outcome = string.Join("; ", run.Step.Select(p => p.Killed ? "killed" : p.TimedOut ? "hung" : p.ExitCode == 0 ? "exit 0" : $"exit {p.ExitCode} {FirstCode(p.Err)}"));
    }

    private Task<ProcessResult> RunOrKillAsync(CellRun run, string[] args) => run.Cell.Kind == FaultKind.Killed
        ? cli.RunAndKillAtAsync(args, run.Cell.Checkpoint!.Value.ToString(), run.Marker)
        : cli.RunAsync(args);

    private static void DamageFile(FaultCell cell, string path)
    {
        if (cell.Target != FaultTarget.Stream)
        {
            return;
        }
        if (cell.Kind == FaultKind.StreamCut)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(cell.Offset!.Value);
        }
        else if (cell.Kind == FaultKind.CorruptByte)
        {
            byte[] bytes = File.ReadAllBytes(path);
            bytes[cell.Offset!.Value] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
        }
    }

    // 'save -o -' whose reader reads a few bytes, then goes away (a dead ssh, a load that died before reading on).
    private async Task<ProcessResult> SaveIntoClosingReaderAsync(CellRun run)
    {
        string[] args = run.Emulated(["save", FaultHosts.Source, "-o", "-", .. run.PreCopyArgs]);
        using Process save = cli.Start(args);
        Task<string> error = save.StandardError.ReadToEndAsync();
        string broke = await RelayAsync(save.StandardOutput.BaseStream, Stream.Null, run.Cell.Offset, null).ConfigureAwait(false);
        bool done = await cli.WaitAsync(save).ConfigureAwait(false);
        return new ProcessResult(string.Join(' ', args) + $" | (reader closes at {run.Cell.Offset}: {broke})", done ? save.ExitCode : -1, "",
            await error.ConfigureAwait(false), false, !done);
    }

    private async Task TransferAsync(CellRun run)
    {
        FaultCell cell = run.Cell;
        string[] saveArgs = run.Emulated(["save", FaultHosts.Source, "-o", "-", .. run.PreCopyArgs]);
        string[] loadArgs = run.Emulated(["load", FaultHosts.NewDestination, "-i", "-", "-p", FaultHosts.Parent, "-t", FaultHosts.Type]);
        string point = cell.Checkpoint?.ToString() ?? "";
        using Process save = cli.Start(saveArgs, cell.Target == FaultTarget.SaveProcess ? VfioctlProcess.PauseEnvironment(point, run.Marker) : null);
        using Process load = cli.Start(loadArgs, cell.Target == FaultTarget.LoadProcess ? VfioctlProcess.PauseEnvironment(point, run.Marker) : null, keepInput: true);
        Task<string> saveError = save.StandardError.ReadToEndAsync();
        Task<string> loadError = load.StandardError.ReadToEndAsync();
        Task<string> loadOutput = load.StandardOutput.ReadToEndAsync();
        bool inStream = cell.Target == FaultTarget.Stream;
        Task<string> relay = RelayAsync(save.StandardOutput.BaseStream, load.StandardInput.BaseStream,
            inStream && cell.Kind == FaultKind.StreamCut ? cell.Offset : null, inStream && cell.Kind == FaultKind.CorruptByte ? cell.Offset : null);
        bool saveKilled = cell.Kind == FaultKind.Killed && cell.Target == FaultTarget.SaveProcess && await cli.KillAtMarkerAsync(save, run.Marker).ConfigureAwait(false);
        bool loadKilled = cell.Kind == FaultKind.Killed && cell.Target == FaultTarget.LoadProcess && await cli.KillAtMarkerAsync(load, run.Marker).ConfigureAwait(false);
        bool saveDone = await cli.WaitAsync(save).ConfigureAwait(false);
        bool loadDone = await cli.WaitAsync(load).ConfigureAwait(false);
        string relayed = await relay.ConfigureAwait(false);
        run.AddStep(new ProcessResult(string.Join(' ', saveArgs) + $" | relay ({relayed})", saveKilled || !saveDone ? -1 : save.ExitCode, "",
            await saveError.ConfigureAwait(false), saveKilled, !saveDone));
        run.AddStep(new ProcessResult(string.Join(' ', loadArgs), loadKilled || !loadDone ? -1 : load.ExitCode, await loadOutput.ConfigureAwait(false),
            await loadError.ConfigureAwait(false), loadKilled, !loadDone));
        if (cell.Kind == FaultKind.Killed && !saveKilled && !loadKilled)
        {
            run.Step.Add(new ProcessResult($"(checkpoint {point} never reached)", 0, "", "", false, false));
        }
    }

    /// <summary>Copies the channel, cutting or corrupting it; returns how it ended. A side that dies ends it (that is the fault).</summary>
    private static async Task<string> RelayAsync(Stream from, Stream to, long? cutAt, long? corruptAt)
    {
        byte[] buffer = new byte[16 * 1024];
        long position = 0;
        string how = "end of stream";
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                if (cutAt is long cut && position + n >= cut)
                {
                    int keepBytes = (int)(cut - position);
                    await to.WriteAsync(buffer.AsMemory(0, keepBytes)).ConfigureAwait(false);
                    position += keepBytes;
                    how = $"cut at {position}";
                    break;
                }
                if (corruptAt is long at && at >= position && at < position + n)
                {
                    buffer[at - position] ^= 0xFF;
                    how = $"byte {at} flipped";
                }
                await to.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                await to.FlushAsync().ConfigureAwait(false);
                position += n;
            }
        }
        catch (IOException e)
        {
            how = $"a side went away after {position} bytes ({e.Message})";
        }
        // Closing both ends is the cut itself: the writer gets EPIPE, the reader end of file.
        from.Dispose();
        try
        {
            to.Dispose();
        }
        catch (IOException e)
        {
            how += $"; reader gone ({e.Message})";
        }
        return how;
    }

    private async Task RecoverAndCheckAsync(CellRun run, SortedDictionary<string, string> definitionsBefore, List<string> problems)
    {
        FaultCell cell = run.Cell;
        string dest = run.Destination;
        string journal = Path.Join(run.Host, "var", "lib", "vfio-migrate", "journal");
        bool Journaled(string uuid) => File.Exists(Path.Join(journal, uuid + ".json"));
        bool killed = run.Step.Any(p => p.Killed);
        foreach (ProcessResult p in run.Step.Where(p => p.TimedOut))
        {
            problems.Add($"hung: {p.Command}");
        }
        if (cell.Kind == FaultKind.Killed && !killed)
        {
            problems.Add($"checkpoint {cell.Checkpoint} was never reached");
        }

        // The runbook: finish what the journal names, then resume a source that nothing replaced.
        var recovery = new List<ProcessResult>();
        async Task<ProcessResult> Cli(params string[] args)
        {
            ProcessResult r = await cli.RunAsync(run.Emulated(args)).ConfigureAwait(false);
            recovery.Add(r);
            run.Recovery.Add(r);
            run.All.Add(r);
            return r;
        }
        if (Journaled(dest) && (await Cli("resume", dest).ConfigureAwait(false)).ExitCode != 0)
        {
            await Cli("abort", dest).ConfigureAwait(false);
        }
        if (Journaled(FaultHosts.Source))
        {
            await Cli("resume", FaultHosts.Source).ConfigureAwait(false);
        }
        string? source = await StateAsync(run, FaultHosts.Source, problems).ConfigureAwait(false);
        string? destination = await StateAsync(run, dest, problems).ConfigureAwait(false);
        bool allSucceeded = run.Step.All(p => p.ExitCode == 0 && !p.Killed);
        // An existing destination that refused its very first arc never left RUNNING and never received a byte: it
        // holds no guest. It cannot be stopped either (the fault stays armed), which the step named (E4002).
        bool idle = destination == Running && cell.Target == FaultTarget.Destination && cell.Kind == FaultKind.ArcRefused
            && cell.Arc?.From == Vfio.Devices.MigrationState.Running && !allSucceeded;
        if (cell.Step == FaultStep.Save || (source != Running && (destination != Running || idle)))
        {
            // A save alone ends with the source stopped: the operator resumes it (no load follows in this step). When
            // the whole stream had left, resume refuses (E6030 state-moved-away); the operator, who has just seen that
            // no destination runs, forces it, as the runbook says.
            if (source != Running)
            {
                ProcessResult resumed = await Cli("resume", FaultHosts.Source).ConfigureAwait(false);
                if (resumed.ExitCode != 0 && resumed.Err.Contains("E6030", StringComparison.Ordinal) && (destination != Running || idle))
                {
                    await Cli("resume", "--force", FaultHosts.Source).ConfigureAwait(false);
                }
                source = await StateAsync(run, FaultHosts.Source, problems).ConfigureAwait(false);
            }
        }
        run.Final = $"S {source ?? "absent"}, D {destination ?? "absent"}{(idle ? " (idle: refused to leave RUNNING, holds no state)" : "")}";

        // Rule 1: exactly one runs.
        if ((source == Running) == (destination == Running && !idle))
        {
            problems.Add($"not exactly one running: source {source ?? "absent"}, destination {destination ?? "absent"}");
        }
        // Rule 2: no journal entry left behind.
        if (Directory.Exists(journal) && Directory.EnumerateFiles(journal).Any())
        {
            problems.Add($"journal left: {string.Join(", ", Directory.EnumerateFiles(journal).Select(Path.GetFileName))}");
        }
        // Rule 3: the definitions store is unchanged and still reads.
        SortedDictionary<string, string> definitionsAfter = FaultHosts.Definitions(run.Host);
        if (!definitionsBefore.SequenceEqual(definitionsAfter))
        {
            problems.Add("definitions store changed");
        }
        ProcessResult list = await cli.RunAsync(run.Emulated("list", "--defined")).ConfigureAwait(false);
        run.All.Add(list);
        if (list.ExitCode != 0 || !list.Out.Contains(FaultHosts.Source, StringComparison.Ordinal) || !list.Out.Contains(FaultHosts.Defined, StringComparison.Ordinal))
        {
            problems.Add($"list --defined: exit {list.ExitCode}, definitions missing: {list.Err}");
        }
        // A cell that names its code (device data changed past the preamble): the step failed with it, and the source
        // runs. Without this, a migration that silently carried the damaged state over would "hold" by rules 1-3.
        if (cell.ExpectedCode is string expected)
        {
            if (allSucceeded || !run.Step.Any(p => p.Err.Contains($"error {expected} ", StringComparison.Ordinal)))
            {
                problems.Add($"expected the step to fail with {expected}, got: {run.Outcome}");
            }
            if (source != Running)
            {
                problems.Add($"expected the source RUNNING after {expected}, it is {source ?? "absent"}");
            }
            if (cell.Step == FaultStep.Migrate && recovery.Count > 0)
            {
                problems.Add($"migrate did not leave the source running by itself: the runbook had to run {recovery.Count} command(s)");
            }
        }
        // Rule 4: every failure named.
        foreach (ProcessResult p in run.Step.Where(p => p.Failed && !p.TimedOut))
        {
            if (!ErrorLine().IsMatch(p.Err))
            {
                problems.Add($"unnamed failure (exit {p.ExitCode}): {p.Command}: {Tail(p.Err)}");
            }
        }
        if (killed && !recovery.Any(r => r.Err.Contains("E6018", StringComparison.Ordinal)))
        {
            problems.Add("a process was killed but recovery never named E6018 migration-interrupted");
        }
        foreach (ProcessResult p in run.All.Where(p => p.Err.Contains("Unhandled exception", StringComparison.Ordinal)))
        {
            problems.Add($"crash: {p.Command}: {Tail(p.Err)}");
        }
        // A save that did not finish leaves no file that looks complete.
        if (cell.Step == FaultStep.Save && cell.Kind != FaultKind.StreamCut && File.Exists(run.Output) != allSucceeded)
        {
            problems.Add(allSucceeded ? "save succeeded but wrote no file" : "a failed or killed save left a complete-looking output file");
        }
        foreach (ProcessResult r in recovery.Where(r => r.ExitCode != 0 && !ErrorLine().IsMatch(r.Err)))
        {
            problems.Add($"recovery failed unnamed: {r.Command}: {Tail(r.Err)}");
        }
    }

    /// <summary>The device's migration state as a fresh <c>vfioctl describe</c> reads it; null when the device does not exist.</summary>
    private async Task<string?> StateAsync(CellRun run, string uuid, List<string> problems)
    {
        ProcessResult describe = await cli.RunAsync(run.Emulated("describe", uuid)).ConfigureAwait(false);
        run.All.Add(describe);
        if (describe.ExitCode != 0)
        {
            if (!describe.Err.Contains("E6005", StringComparison.Ordinal))
            {
                problems.Add($"describe {uuid}: exit {describe.ExitCode}: {Tail(describe.Err)}");
            }
            return null;
        }
        Match state = StateLine().Match(describe.Out);
        return state.Success ? state.Groups[1].Value : "unknown";
    }

    private static string FirstCode(string err) => CodePattern().Match(err) is { Success: true } m ? m.Value : "(no code)";

    private static string Tail(string text)
    {
        string t = text.Trim().ReplaceLineEndings(" | ");
        return t.Length > 300 ? t[^300..] : t;
    }

    [GeneratedRegex(@"(?<=(error|warning) )E\d{4}")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"(^|\n)error E\d{4} [a-z0-9-]+: ")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"(?m)^state\s+(\S+)")]
    private static partial Regex StateLine();
}
