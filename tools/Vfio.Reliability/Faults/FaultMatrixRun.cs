using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Vfio.Reliability.Faults;

/// <summary>
/// <c>vfio-reliability faults [--root DIR] [--quick] [--jobs N] [--markdown FILE] [--only TEXT] [--vfioctl PATH] [--keep]</c>:
/// the migration fault matrix of docs/reliability.md. Every cell runs on a fresh copy of an emulated host, through
/// vfioctl child processes, and is checked from fresh processes afterwards. Exit 0 when every cell held, 1 otherwise.
/// </summary>
internal static class FaultMatrixRun
{
    public static int Run(string[] args)
    {
        Options? options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: vfio-reliability faults [--root DIR] [--quick] [--jobs N] [--markdown FILE] [--only TEXT] [--vfioctl PATH] [--keep]");
            return 64;
        }
        try
        {
            return RunAsync(options, Console.Out).GetAwaiter().GetResult().All(r => r.Held) ? 0 : 1;
        }
        catch (InvalidOperationException e) when (e.Data.Contains(NoHooks))
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private const string NoHooks = "vfioctl-without-test-hooks";

    /// <summary>
    /// Whether the vfioctl under test reads <c>VFIOCTL_PAUSE_AT</c>: only Debug builds and builds made with
    /// <c>-p:VfioTestHooks=true</c> do. Asked by behaviour: such a build refuses a value that names no checkpoint.
    /// </summary>
    internal static async Task<bool> HasTestHooksAsync(VfioctlProcess cli, string host)
    {
        ProcessResult probe = await cli.RunAsync(["--emulated", host, "resume", "00000000-0000-4000-8000-000000000000"],
            new Dictionary<string, string>(StringComparer.Ordinal) { ["VFIOCTL_PAUSE_AT"] = "probe-not-a-checkpoint" }).ConfigureAwait(false);
        return probe.Err.Contains("VFIOCTL_PAUSE_AT", StringComparison.Ordinal);
    }

    /// <summary>Runs the matrix (or its quick subset) and returns every cell's result.</summary>
    internal static async Task<IReadOnlyList<CellResult>> RunAsync(Options options, TextWriter output)
    {
        string root = options.Root ?? Directory.CreateTempSubdirectory("vfio-faults-").FullName;
        Directory.CreateDirectory(root);
        var cli = new VfioctlProcess(options.Vfioctl ?? VfioctlProcess.DefaultPath, TimeSpan.FromSeconds(90));
        List<FaultCell> cells = FaultMatrix.Build(options.Quick)
            .Where(c => options.Only is null || c.Id.Contains(options.Only, StringComparison.OrdinalIgnoreCase)).ToList();
        var clock = Stopwatch.StartNew();
        var hosts = new FaultHosts(root, cli);
        await hosts.BuildAsync().ConfigureAwait(false);
        if (!await HasTestHooksAsync(cli, hosts.Template(Protocol.V2)).ConfigureAwait(false))
        {
            // The kill cells pause vfioctl at a checkpoint; a production build cannot be paused (by design).
            throw new InvalidOperationException(
                $"{cli.Path} was built without test hooks, so it cannot be paused at a checkpoint; build it with -p:VfioTestHooks=true " +
                "(dotnet run -c Release -p:VfioTestHooks=true --project tools/Vfio.Reliability -- faults, or publish vfioctl with that property)")
            {
                Data = { [NoHooks] = true },
            };
        }
        output.WriteLine($"fault matrix: {cells.Count} cells, {options.Jobs} job(s), vfioctl {cli.Path}, hosts in {root}");
        var runner = new CellRunner(hosts, cli, root, options.Keep);
        var results = new CellResult[cells.Count];
        int done = 0;
        await Parallel.ForAsync(0, cells.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs }, async (i, _) =>
        {
            results[i] = await runner.RunAsync(cells[i], i).ConfigureAwait(false);
            int n = Interlocked.Increment(ref done);
            CellResult r = results[i];
            lock (output)
            {
                output.WriteLine($"[{n}/{cells.Count}] {(r.Held ? "held  " : "FAILED")} {r.Cell.Id} -> {r.Outcome}; {r.Final} [{string.Join(' ', r.Codes)}] {r.Elapsed.TotalSeconds:0.0}s");
                foreach (string problem in r.Problems)
                {
                    output.WriteLine("         " + problem);
                }
            }
        }).ConfigureAwait(false);
        clock.Stop();
        string summary = Summary(results, clock.Elapsed, options);
        output.WriteLine(summary);
        if (options.Markdown is string markdown)
        {
            await File.WriteAllTextAsync(markdown, Markdown(results, clock.Elapsed, options)).ConfigureAwait(false);
            output.WriteLine($"markdown written to {markdown}");
        }
        if (options.Root is null && !options.Keep && results.All(r => r.Held))
        {
            Directory.Delete(root, recursive: true);
        }
        return results;
    }

    private static string Summary(IReadOnlyList<CellResult> results, TimeSpan elapsed, Options options)
    {
        int processes = results.Sum(r => r.Processes);
        return string.Create(CultureInfo.InvariantCulture,
            $"{results.Count} cells, {results.Count(r => r.Held)} held, {results.Count(r => !r.Held)} failed; {results.Count(r => r.Cell.Kind == FaultKind.Killed)} processes killed; {processes} vfioctl processes; {elapsed.TotalMinutes:0.0} min with {options.Jobs} job(s)");
    }

    /// <summary>The summary table by step and fault kind, then every cell.</summary>
    internal static string Markdown(IReadOnlyList<CellResult> results, TimeSpan elapsed, Options options)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"{Summary(results, elapsed, options)}.");
        md.AppendLine();
        FaultKind[] kinds = Enum.GetValues<FaultKind>();
        md.AppendLine("| Step | " + string.Join(" | ", kinds.Select(Label)) + " | All |");
        md.AppendLine("|---|" + string.Concat(kinds.Select(_ => "---|")) + "---|");
        foreach (FaultStep step in Enum.GetValues<FaultStep>())
        {
            var row = results.Where(r => r.Cell.Step == step).ToList();
            md.Append(CultureInfo.InvariantCulture, $"| {step.ToString().ToLowerInvariant()} |");
            foreach (FaultKind kind in kinds)
            {
                var cell = row.Where(r => r.Cell.Kind == kind).ToList();
                md.Append(cell.Count == 0 ? " n/a |" : string.Create(CultureInfo.InvariantCulture, $" {cell.Count(r => r.Held)}/{cell.Count} |"));
            }
            md.AppendLine(CultureInfo.InvariantCulture, $" {row.Count(r => r.Held)}/{row.Count} |");
        }
        md.AppendLine();
        md.AppendLine("Held / cells. Every cell is one protocol (v1, v2) and one pre-copy setting; see the per-cell table for both.");
        md.AppendLine();
        md.AppendLine("| Cell | Step outcome | After recovery | Codes | Held |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (CellResult r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| `{r.Cell.Id}` | {r.Outcome} | {r.Final} | {string.Join(' ', r.Codes)} | {(r.Held ? "yes" : "**no**: " + string.Join("; ", r.Problems).Replace("|", "/", StringComparison.Ordinal))} |");
        }
        return md.ToString();
    }

    private static string Label(FaultKind kind) => kind switch
    {
        FaultKind.ArcRefused => "arc refused",
        FaultKind.DeviceError => "device ERROR",
        FaultKind.StreamCut => "stream cut",
        FaultKind.CorruptByte => "corrupted byte",
        FaultKind.Killed => "process killed",
        _ => kind.ToString(),
    };

    /// <summary>The command line of the run.</summary>
    internal sealed record Options(string? Root, bool Quick, int Jobs, string? Markdown, string? Only, string? Vfioctl, bool Keep)
    {
        public static Options? Parse(string[] args)
        {
            var o = new Options(null, false, 1, null, null, null, false);
            for (int i = 0; i < args.Length; i++)
            {
                string? Next() => i + 1 < args.Length ? args[++i] : null;
                switch (args[i])
                {
                    case "--root":
                        o = o with { Root = Next() ?? "" };
                        break;
                    case "--quick":
                        o = o with { Quick = true };
                        break;
                    case "--keep":
                        o = o with { Keep = true };
                        break;
                    case "--jobs" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int jobs) && jobs > 0:
                        o = o with { Jobs = jobs };
                        break;
                    case "--markdown":
                        o = o with { Markdown = Next() };
                        break;
                    case "--only":
                        o = o with { Only = Next() };
                        break;
                    case "--vfioctl":
                        o = o with { Vfioctl = Next() };
                        break;
                    default:
                        return null;
                }
            }
            return o.Root == "" || o.Markdown == "" ? null : o;
        }
    }
}
