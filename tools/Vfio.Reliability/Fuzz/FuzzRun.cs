using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Vfio.Errors;
using Vfio.Reliability.Fuzz.Targets;

namespace Vfio.Reliability.Fuzz;

/// <summary>
/// <c>vfio-reliability fuzz</c>: mutated inputs against every parser that reads outside input (docs/reliability.md,
/// "Fuzzing").
/// </summary>
/// <remarks>
/// <code>
/// fuzz [--seed N] [--cases N | --seconds N] [--target NAME ...] [--crash-dir DIR] [--hang-ms N] [--list]
/// fuzz --replay FILE --target NAME
/// </code>
/// <c>--cases</c> is per target; <c>--seconds</c> is the whole run's budget, shared equally by the targets.
/// Exit code 0: no crash, hang or over-allocation; 1: at least one (inputs written to the crash directory);
/// 64: usage error.
/// </remarks>
internal static class FuzzRun
{
    private const string Usage =
        "usage: vfio-reliability fuzz [--seed N] [--cases N | --seconds N] [--target NAME ...] [--crash-dir DIR] [--hang-ms N] [--list]\n" +
        "       vfio-reliability fuzz --replay FILE --target NAME [--hang-ms N]";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out Arguments? a, out string? problem))
        {
            error.WriteLine($"vfio-reliability fuzz: {problem}");
            error.WriteLine(Usage);
            return 64;
        }
        string work = Directory.CreateTempSubdirectory("vfio-fuzz-").FullName;
        try
        {
            IReadOnlyList<FuzzTarget> all = FuzzTargets.All(work);
            if (a.List)
            {
                foreach (FuzzTarget t in all)
                {
                    output.WriteLine($"{t.Name,-30} {t.Description}");
                }
                return 0;
            }
            string? unknown = a.Targets.FirstOrDefault(n => all.All(t => t.Name != n));
            if (unknown is not null)
            {
                error.WriteLine($"vfio-reliability fuzz: no target '{unknown}'; --list shows them");
                return 64;
            }
            FuzzTarget[] selected = a.Targets.Count == 0 ? [.. all] : [.. all.Where(t => a.Targets.Contains(t.Name))];
            return a.Replay is not null
                ? Replay(selected[0], a.Replay, a.Options, output)
                : RunAll(selected, a, output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs the targets and prints the report; returns 0 when nothing failed.</summary>
    public static int RunAll(IReadOnlyList<FuzzTarget> targets, Arguments a, TextWriter output)
    {
        FuzzOptions options = a.Options with
        {
            Duration = a.Seconds is { } s ? TimeSpan.FromSeconds(s / targets.Count) : null,
        };
        output.WriteLine($"fuzz: seed {options.Seed}, {(options.Duration is { } d ? $"{d.TotalSeconds:F1} s" : $"{options.CasesPerTarget} cases")} per target, " +
            $"{targets.Count} targets, hang timeout {options.HangTimeout.TotalMilliseconds} ms, allocation bound {options.AllocationBaseBytes >> 20} MiB + {options.AllocationPerInputByte} B/input byte");
        output.WriteLine($"machine: {Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        output.WriteLine(FuzzEngine.HeaderLine);
        var clock = Stopwatch.StartNew();
        var reports = new List<TargetReport>();
        foreach (FuzzTarget target in targets)
        {
            reports.Add(FuzzEngine.RunTarget(target, options, output));
        }
        long cases = reports.Sum(r => r.Cases);
        long failures = reports.Sum(r => r.FailureCount);
        output.WriteLine($"total: {cases} cases in {clock.Elapsed.TotalSeconds:F0} s, {reports.Sum(r => r.Successes)} accepted, " +
            $"{cases - reports.Sum(r => r.Successes) - failures} refused with a catalogue error, " +
            $"{reports.Sum(r => r.Crashes)} crashes, {reports.Sum(r => r.Hangs)} hangs, {reports.Sum(r => r.OverAllocations)} over-allocations");
        var codes = new SortedDictionary<ErrorCode, long>();
        foreach ((ErrorCode code, long n) in reports.SelectMany(r => r.Errors))
        {
            codes[code] = codes.GetValueOrDefault(code) + n;
        }
        output.WriteLine("errors by code: " + string.Join(' ', codes.Select(c => $"{ErrorCatalogue.Id(c.Key)}:{c.Value}")));
        foreach (TargetReport r in reports.Where(r => r.FailureCount > 0))
        {
            foreach (FuzzFailure f in r.Failures)
            {
                output.WriteLine($"FAIL {r.Name} case {f.Index}: {f.Outcome.Describe()}{(f.File is null ? "" : " -> " + f.File)}");
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private static int Replay(FuzzTarget target, string file, FuzzOptions options, TextWriter output)
    {
        byte[] input = File.ReadAllBytes(file);
        CaseOutcome outcome = FuzzEngine.JudgeWithTimeout(target.Run, input, options);
        output.WriteLine($"{target.Name} {file} ({input.Length} bytes): {outcome.Describe()}, {outcome.AllocatedBytes} bytes allocated");
        if (outcome.Exception is not null)
        {
            output.WriteLine(outcome.Exception.ToString());
        }
        return outcome.IsFailure ? 1 : 0;
    }

    /// <summary>The parsed command line.</summary>
    internal sealed record Arguments
    {
        public FuzzOptions Options { get; init; } = new();
        public double? Seconds { get; init; }
        public List<string> Targets { get; } = [];
        public string? Replay { get; init; }
        public bool List { get; init; }
    }

    internal static bool TryParse(string[] args, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Arguments? parsed, out string? problem)
    {
        parsed = null;
        var a = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--list")
            {
                a = a with { List = true };
                continue;
            }
            if (i + 1 >= args.Length)
            {
                problem = $"'{name}' needs a value or is unknown";
                return false;
            }
            string value = args[++i];
            bool ok = true;
            switch (name)
            {
                case "--seed":
                    ok = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed);
                    a = a with { Options = a.Options with { Seed = seed } };
                    break;
                case "--cases":
                    ok = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long cases) && cases > 0;
                    a = a with { Options = a.Options with { CasesPerTarget = cases } };
                    break;
                case "--seconds":
                    ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0;
                    a = a with { Seconds = seconds };
                    break;
                case "--hang-ms":
                    ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) && ms > 0;
                    a = a with { Options = a.Options with { HangTimeout = TimeSpan.FromMilliseconds(ms) } };
                    break;
                case "--crash-dir":
                    a = a with { Options = a.Options with { CrashDirectory = value } };
                    break;
                case "--replay":
                    a = a with { Replay = value };
                    break;
                case "--target":
                    a.Targets.Add(value);
                    break;
                default:
                    problem = $"unknown option '{name}'";
                    return false;
            }
            if (!ok)
            {
                problem = $"'{value}' is not a valid value for {name}";
                return false;
            }
        }
        if (a.Replay is not null && a.Targets.Count != 1)
        {
            problem = "--replay needs exactly one --target";
            return false;
        }
        if (a.Options.CrashDirectory is null)
        {
            a = a with { Options = a.Options with { CrashDirectory = Path.GetFullPath("fuzz-crashes") } };
        }
        problem = null;
        parsed = a;
        return true;
    }
}
