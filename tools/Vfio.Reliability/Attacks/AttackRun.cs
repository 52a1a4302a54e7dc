using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vfio.Reliability.Faults;

namespace Vfio.Reliability.Attacks;

/// <summary>
/// <c>vfio-reliability attacks [--root DIR] [--vfioctl PATH] [--only TEXT] [--big-mib N] [--jobs N] [--markdown FILE] [--keep]</c>:
/// every operational attack of docs/reliability.md through the real CLI, each on a fresh copy of an emulated host,
/// with the errno fault shim (tools/faultshim, built with gcc) for the disk faults. Prints one row per attack (case,
/// expected code, got, held?). Exit 0 when every applicable attack held, 1 otherwise.
/// </summary>
internal static class AttackRun
{
    /// <summary>The parsed command line.</summary>
    internal sealed record Options(string? Root, string? Vfioctl, string? Only, int BigMiB, int Jobs, string? Markdown, bool Keep);

    /// <summary>One attack's row.</summary>
    internal sealed record Row(AttackCase Case, AttackResult Result, TimeSpan Elapsed);

    public static int Run(string[] args)
    {
        Options? options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: vfio-reliability attacks [--root DIR] [--vfioctl PATH] [--only TEXT] [--big-mib N] [--jobs N] [--markdown FILE] [--keep]");
            return 64;
        }
        return RunAsync(options, Console.Out).GetAwaiter().GetResult().All(r => r.Result.Held) ? 0 : 1;
    }

    internal static async Task<IReadOnlyList<Row>> RunAsync(Options options, TextWriter output)
    {
        string root = options.Root ?? Directory.CreateTempSubdirectory("vfio-attacks-").FullName;
        Directory.CreateDirectory(root);
        // The unprivileged attacks run vfioctl as another user, who must be able to reach the hosts (not write them).
        AttackHost.OpenForOthers(root);
        var cli = new VfioctlProcess(options.Vfioctl ?? VfioctlProcess.DefaultPath, TimeSpan.FromSeconds(90));
        string template = Path.Join(root, "template");
        await AttackHost.BuildTemplateAsync(template, cli).ConfigureAwait(false);
        _ = FaultShim.Library;
        List<AttackCase> cases = [.. AttackCases.All(options.BigMiB).Where(c => options.Only is null || c.Id.Contains(options.Only, StringComparison.OrdinalIgnoreCase))];
        output.WriteLine($"attacks: {cases.Count} cases, vfioctl {cli.Path}, fault shim {FaultShim.Library}, hosts in {root}");
        var rows = new Row[cases.Count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs }, async (i, _) =>
        {
            rows[i] = await RunOneAsync(cases[i], root, template, cli).ConfigureAwait(false);
            lock (output)
            {
                Row r = rows[i];
                output.WriteLine($"{(r.Result.NotApplicable ? "n/a   " : r.Result.Held ? "held  " : "FAILED")} {r.Case.Id,-40} expected {r.Case.Expected,-5} got {r.Result.Got} ({r.Elapsed.TotalSeconds:0.0}s)");
                foreach (string problem in r.Result.Problems)
                {
                    output.WriteLine("         " + problem);
                }
            }
        }).ConfigureAwait(false);
        output.WriteLine(Table(rows));
        output.WriteLine(Summary(rows, clock.Elapsed));
        if (options.Markdown is string markdown)
        {
            await File.WriteAllTextAsync(markdown, Summary(rows, clock.Elapsed) + ".\n\n" + Table(rows)).ConfigureAwait(false);
        }
        if (options.Root is null && !options.Keep && rows.All(r => r.Result.Held))
        {
            Directory.Delete(root, recursive: true);
        }
        return rows;
    }

    private static async Task<Row> RunOneAsync(AttackCase attack, string root, string template, VfioctlProcess cli)
    {
        string dir = Path.Join(root, "cases", attack.Id);
        string host = Path.Join(dir, "host");
        string output = Path.Join(dir, "out");
        Directory.CreateDirectory(output);
        AttackHost.OpenForOthers(Path.Join(root, "cases"));
        AttackHost.OpenForOthers(dir);
        await AttackHost.CopyAsync(template, host).ConfigureAwait(false);
        AttackHost.OpenForOthers(host);
        var clock = Stopwatch.StartNew();
        AttackResult result;
        try
        {
            result = await attack.Run(new AttackHost(host, output, cli)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // The harness itself failed (setting the case up): that is a failed case, named, never a passed one.
            result = new AttackResult("harness error", false, [e.Message]);
        }
        return new Row(attack, result, clock.Elapsed);
    }

    /// <summary>The table of docs/reliability.md: case, class, expected code, got, held.</summary>
    internal static string Table(IReadOnlyList<Row> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("| case | class | expected | got | held |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (Row r in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Case.Id} | {r.Case.Class} | {r.Case.Expected} | {r.Result.Got} | {(r.Result.NotApplicable ? "n/a: " + r.Result.Problems[0] : r.Result.Held ? "yes" : "**no**: " + string.Join("; ", r.Result.Problems).Replace('|', '/'))} |");
        }
        return md.ToString();
    }

    internal static string Summary(IReadOnlyList<Row> rows, TimeSpan elapsed)
    {
        int applicable = rows.Count(r => !r.Result.NotApplicable);
        return string.Create(CultureInfo.InvariantCulture,
            $"{rows.Count} attacks, {applicable} applicable here, {rows.Count(r => !r.Result.NotApplicable && r.Result.Held)} held, {rows.Count(r => !r.Result.Held)} failed; {elapsed.TotalSeconds:0} s");
    }

    internal static Options? Parse(string[] args)
    {
        string? root = null, vfioctl = null, only = null, markdown = null;
        int big = 93, jobs = 2;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--root": root = Next(); break;
                case "--vfioctl": vfioctl = Next(); break;
                case "--only": only = Next(); break;
                case "--markdown": markdown = Next(); break;
                case "--keep": keep = true; break;
                case "--big-mib" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b > 0: big = b; break;
                case "--jobs" when int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int j) && j > 0: jobs = j; break;
                default: return null;
            }
        }
        return new Options(root, vfioctl, only, big, jobs, markdown, keep);
    }
}
