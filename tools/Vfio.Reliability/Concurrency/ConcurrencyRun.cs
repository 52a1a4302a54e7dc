using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vfio.Reliability.Concurrency;

/// <summary>What one run did and found.</summary>
/// <param name="Options">How it was run.</param>
/// <param name="Records">Every logged operation.</param>
/// <param name="Findings">What the verifier and the run found wrong; empty when the run passed.</param>
/// <param name="Elapsed">The workers' wall-clock time.</param>
internal sealed record ConcurrencyReport(ConcurrencyOptions Options, IReadOnlyList<OperationRecord> Records, IReadOnlyList<Finding> Findings, TimeSpan Elapsed)
{
    public int Succeeded => Records.Count(r => r.Succeeded);

    public IReadOnlyList<(string Code, int Count)> Refusals => [.. Records
        .Where(r => ConcurrencyVerifier.ExpectedRefusals.ContainsKey(r.Outcome))
        .GroupBy(r => r.Outcome, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => (g.Key, g.Count()))];

    public string Summary()
    {
        var text = new StringBuilder();
        ConcurrencyOptions o = Options;
        string Number(double n, string format = "0") => n.ToString(format, CultureInfo.InvariantCulture);
        text.AppendLine(CultureInfo.InvariantCulture, $"concurrency: {o.Processes} processes x {o.Operations} operations, seed {o.Seed}, {o.CliPercent}% through vfioctl child processes");
        text.AppendLine(CultureInfo.InvariantCulture, $"  operations  {Records.Count} ({Records.Count(r => r.Via == "cli")} via vfioctl)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  succeeded   {Succeeded}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  refused     {Refusals.Sum(r => r.Count)} ({string.Join(", ", Refusals.Select(r => $"{r.Code} x{r.Count}"))})");
        foreach ((string op, int count) in Records.GroupBy(r => r.Operation, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {op,-9} {count,5} run, {Records.Count(r => r.Operation == op && r.Succeeded),5} succeeded");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  failures    {Findings.Count}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  throughput  {Number(Records.Count / Math.Max(Elapsed.TotalSeconds, 0.001), "0.0")} ops/s over {Number(Elapsed.TotalSeconds, "0.0")} s");
        foreach (Finding finding in Findings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  FAIL {finding}");
        }
        return text.ToString();
    }
}

/// <summary>
/// <c>vfio-reliability concurrency</c>: many processes creating, starting, stopping, opening and removing devices
/// and defining, modifying and undefining definitions on one emulated host at once, then a fresh process checks
/// that instance counts are exact, no definition is lost or torn and every failure is a catalogue refusal.
/// </summary>
internal static class ConcurrencyRun
{
    public static int Run(string[] args)
    {
        ConcurrencyOptions options;
        try
        {
            options = ConcurrencyOptions.Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"vfio-reliability concurrency: {e.Message}");
            Console.Error.WriteLine(ConcurrencyOptions.Usage);
            return 64;
        }
        if (options.Worker is not null)
        {
            return ConcurrencyWorker.Run(options);
        }
        if (options.Verify)
        {
            (List<OperationRecord> records, _) = OperationRecord.ReadAll(options.LogDirectory);
            foreach (Finding finding in ConcurrencyVerifier.Verify(options.HostRoot, records))
            {
                Console.Out.WriteLine(FindingLine(finding));
            }
            return 0;
        }
        ConcurrencyReport report = Execute(options, Console.Out);
        Console.Out.Write(report.Summary());
        return report.Findings.Count == 0 ? 0 : 1;
    }

    /// <summary>Lays out the host, runs the workers, then the verifier in a fresh process.</summary>
    public static ConcurrencyReport Execute(ConcurrencyOptions options, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (options.Root is null)
        {
            options = options with { Root = Directory.CreateTempSubdirectory("vfio-concurrency-").FullName };
        }
        else if (Directory.Exists(options.Root) && Directory.EnumerateFileSystemEntries(options.Root).Any())
        {
            throw new IOException($"--root '{options.Root}' is not empty; give a new or empty directory.");
        }
        ConcurrencyHost.Create(options.HostRoot);
        Directory.CreateDirectory(options.LogDirectory);
        progress.WriteLine($"concurrency: host and logs in {options.Root}");

        var findings = new List<Finding>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Processes)
            .Select(i => (Index: i, Process: ChildProcess.Start(ChildProcess.Self, options.ChildArguments("worker", i))))
            .Select(w => (w.Index, w.Process, Error: w.Process.StandardError.ReadToEndAsync(), Output: w.Process.StandardOutput.ReadToEndAsync()))
            .ToList();
        foreach ((int index, Process process, Task<string> error, Task<string> output) in workers)
        {
            using (process)
            {
                TimeSpan left = options.Timeout - clock.Elapsed;
                if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    findings.Add(new Finding("hang", $"worker {index} did not finish within {options.Timeout.TotalSeconds} s and was killed"));
                    continue;
                }
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    findings.Add(new Finding("worker", $"worker {index} exited {process.ExitCode}: {error.Result}{output.Result}"));
                }
            }
        }
        TimeSpan elapsed = clock.Elapsed;

        (List<OperationRecord> records, List<string> unreadable) = OperationRecord.ReadAll(options.LogDirectory);
        findings.AddRange(unreadable.Select(line => new Finding("log", line)));
        for (int i = 0; i < options.Processes; i++)
        {
            int logged = records.Count(r => r.Worker == i);
            if (logged != options.Operations)
            {
                findings.Add(new Finding("worker", $"worker {i} logged {logged} of its {options.Operations} operations"));
            }
        }
        findings.AddRange(VerifyInFreshProcess(options));
        return new ConcurrencyReport(options, records, findings, elapsed);
    }

    private static List<Finding> VerifyInFreshProcess(ConcurrencyOptions options)
    {
        (int? exit, string output, string error) = ChildProcess.Run(ChildProcess.Self, options.ChildArguments("verify"), TimeSpan.FromMinutes(5));
        if (exit != 0)
        {
            return [new Finding("verifier", $"the verifier {(exit is null ? "hung" : $"exited {exit}")}: {error}")];
        }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseFindingLine).ToList();
    }

    private static string FindingLine(Finding finding)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", finding.Kind);
            json.WriteString("detail", finding.Detail);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Finding ParseFindingLine(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return new Finding(document.RootElement.GetProperty("kind").GetString()!, document.RootElement.GetProperty("detail").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new Finding("verifier", $"unreadable verifier output: {line}");
        }
    }
}
