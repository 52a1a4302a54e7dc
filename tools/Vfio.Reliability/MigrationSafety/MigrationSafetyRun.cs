using System.Diagnostics;
using Vfio.Reliability.Faults;

namespace Vfio.Reliability.MigrationSafety;

/// <summary>
/// <c>vfio-reliability migration-safety [--root DIR] [--vfioctl PATH] [--only TEXT]</c>: the migration-safety attacks
/// (split brain, signals, crash consistency; see <see cref="MigrationSafetyAttacks"/>). Prints one line per attack and
/// the count by class; exit 0 when every attack held, 1 otherwise.
/// </summary>
internal static class MigrationSafetyRun
{
    public static int Run(string[] args)
    {
        if (args.Length >= 1 && args[0] == "--crash-child")
        {
            return MigrationSafetyCrashChild.RunChild(args[1..]);
        }
        string? root = null;
        string? vfioctl = null;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--root" when i + 1 < args.Length:
                    root = args[++i];
                    break;
                case "--vfioctl" when i + 1 < args.Length:
                    vfioctl = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: vfio-reliability migration-safety [--root DIR] [--vfioctl PATH] [--only TEXT]");
                    return 64;
            }
        }
        IReadOnlyList<MigrationSafetyResult> results = RunAsync(root, vfioctl, only, Console.Out).GetAwaiter().GetResult();
        return results.All(r => r.Held) ? 0 : 1;
    }

    /// <summary>Runs the attacks one after another (they start and signal processes) and reports each.</summary>
    internal static async Task<IReadOnlyList<MigrationSafetyResult>> RunAsync(string? root, string? vfioctl, string? only, TextWriter output)
    {
        root ??= Directory.CreateTempSubdirectory("vfio-migration-safety-").FullName;
        var cli = new VfioctlProcess(vfioctl ?? VfioctlProcess.DefaultPath, TimeSpan.FromSeconds(90));
        var attacks = new MigrationSafetyAttacks(cli, root);
        var clock = Stopwatch.StartNew();
        var results = new List<MigrationSafetyResult>();
        foreach ((string @class, string name, Func<MigrationSafetyAttacks.Attack, Task> run) in attacks.All())
        {
            if (only is not null && !$"{@class}: {name}".Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            MigrationSafetyResult result = await attacks.RunAsync(@class, name, run).ConfigureAwait(false);
            results.Add(result);
            output.WriteLine($"{(result.Held ? "held  " : "BROKEN")} {@class}: {name} ({result.Elapsed.TotalSeconds:F1} s)");
            foreach (string problem in result.Problems)
            {
                output.WriteLine($"       {problem}");
            }
        }
        foreach (IGrouping<string, MigrationSafetyResult> group in results.GroupBy(r => r.Class))
        {
            output.WriteLine($"{group.Key}: {group.Count(r => r.Held)}/{group.Count()} held");
        }
        output.WriteLine($"migration safety: {results.Count(r => r.Held)}/{results.Count} attacks held in {clock.Elapsed.TotalMinutes:F1} min; hosts in {root}");
        return results;
    }
}
