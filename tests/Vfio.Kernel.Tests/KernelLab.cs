using System.Diagnostics;
using System.Text.Json;

namespace Vfio.Tests.Kernel;

/// <summary>Where the lab is and whether it can run here.</summary>
internal static class KernelLab
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Script(string name) => Path.Join(RepositoryRoot, "tools", "kernel-lab", name);

    /// <summary>Null when the lab is set up; otherwise why not. Under CI=true a missing lab is a failure, not a skip.</summary>
    public static string? WhyNot { get; } = Probe();

    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Probe()
    {
        (int code, string output) = Run(Script("lab"), ["status"], TimeSpan.FromSeconds(30));
        return code == 0 ? null : $"the kernel lab is not set up here ({output.Trim()}); 'sudo tools/kernel-lab/lab setup' builds it";
    }

    internal static (int Code, string Output) Run(string file, string[] args, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"{file} {string.Join(' ', args)}: still running after {limit}\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Join(d.FullName, "Vfio.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("no Vfio.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A theory that needs the kernel lab: skipped where it is not set up, except under CI=true.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipTheoryDiscoverer.TypeName, "Vfio.Kernel.Tests")]
public sealed class KernelLabTheoryAttribute : TheoryAttribute
{
    public KernelLabTheoryAttribute()
    {
        if (KernelLab.WhyNot is string why && !KernelLab.Required)
        {
            Skip = why;
        }
    }
}

/// <summary>A fact that needs the kernel lab: skipped where it is not set up, except under CI=true.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, "Vfio.Kernel.Tests")]
public sealed class KernelLabFactAttribute : FactAttribute
{
    public KernelLabFactAttribute()
    {
        if (KernelLab.WhyNot is string why && !KernelLab.Required)
        {
            Skip = why;
        }
    }
}

/// <summary>One run of the kernel stage, shared by every test of the collection: the guest boots once.</summary>
public sealed class KernelStage : IDisposable
{
    private readonly Lazy<StageRun> _run = new(Execute);

    public StageRun Run => _run.Value;

    public void Dispose()
    {
        if (_run.IsValueCreated && Environment.GetEnvironmentVariable("VFIO_KEEP_STAGE") is null)
        {
            Directory.Delete(_run.Value.Folder, recursive: true);
        }
    }

    private static StageRun Execute()
    {
        if (KernelLab.WhyNot is string why)
        {
            throw new InvalidOperationException(why);
        }
        string folder = Directory.CreateTempSubdirectory("vfio-kernel-stage.").FullName;
        (int code, string output) = KernelLab.Run(KernelLab.Script("stage"), ["--out", folder], TimeSpan.FromMinutes(60));
        string results = Path.Join(folder, "results.jsonl");
        var checks = new Dictionary<string, CheckOutcome>(StringComparer.Ordinal);
        if (File.Exists(results))
        {
            foreach (string line in File.ReadLines(results).Where(l => l.Length > 0))
            {
                CheckOutcome outcome = JsonSerializer.Deserialize<CheckOutcome>(line)!;
                checks[outcome.Check] = outcome;
            }
        }
        string log = File.Exists(Path.Join(folder, "battery.log")) ? File.ReadAllText(Path.Join(folder, "battery.log")) : output;
        Keep(folder, output);
        return new StageRun(folder, code, log, checks);
    }

    // The results outlive the run in artifacts/kernel-stage (gitignored): .ci/run prints the table after the tests, so a
    // CI log shows what the real kernel did (register values, QEMU's migration) and not only that the tests passed.
    private static void Keep(string folder, string output)
    {
        string kept = Path.Join(KernelLab.RepositoryRoot, "artifacts", "kernel-stage");
        Directory.CreateDirectory(kept);
        foreach (string name in new[] { "results.md", "results.jsonl", "battery.log", "console.log" })
        {
            string from = Path.Join(folder, name);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Join(kept, name), overwrite: true);
            }
            else
            {
                File.Delete(Path.Join(kept, name));
            }
        }
        File.WriteAllText(Path.Join(kept, "stage.log"), output);
    }
}

public sealed record CheckOutcome(
    [property: System.Text.Json.Serialization.JsonPropertyName("check")] string Check,
    [property: System.Text.Json.Serialization.JsonPropertyName("passed")] bool Passed,
    [property: System.Text.Json.Serialization.JsonPropertyName("detail")] string Detail,
    [property: System.Text.Json.Serialization.JsonPropertyName("seconds")] double Seconds);

public sealed record StageRun(string Folder, int ExitCode, string Log, IReadOnlyDictionary<string, CheckOutcome> Checks);

[CollectionDefinition(Name)]
public sealed class KernelStageCollection : ICollectionFixture<KernelStage>
{
    public const string Name = "kernel stage";
}
