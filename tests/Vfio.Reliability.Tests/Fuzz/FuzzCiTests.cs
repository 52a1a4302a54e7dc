using Vfio.Reliability.Fuzz;
using Vfio.Reliability.Fuzz.Targets;

namespace Vfio.Tests.Reliability.Fuzz;

/// <summary>
/// The CI-sized fuzz run: a fixed seed, 250 mutated inputs for every target (a few thousand in all), and not one
/// crash, hang or allocation over the bound. The long run behind docs/reliability.md is the same code with more cases.
/// </summary>
public sealed class FuzzCiTests : IDisposable
{
    private const int Seed = 20261122;
    private const int CasesPerTarget = 250;
    private readonly string _work = Directory.CreateTempSubdirectory("fuzz-ci-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> TargetNames()
    {
        string work = Directory.CreateTempSubdirectory("fuzz-names-").FullName;
        try
        {
            return [.. FuzzTargets.All(work).Select(t => t.Name)];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Every_case_ends_in_success_or_a_catalogue_error(string target)
    {
        FuzzTarget t = FuzzTargets.All(_work).Single(x => x.Name == target);
        // The hang timeout is generous: CI machines are shared and slow, and a real hang never ends.
        var options = new FuzzOptions { Seed = Seed, CasesPerTarget = CasesPerTarget, HangTimeout = TimeSpan.FromSeconds(60) };

        TargetReport report = FuzzEngine.RunTarget(t, options);

        Assert.True(report.FailureCount == 0, string.Join('\n', report.Failures.Select(f =>
            $"case {f.Index}: {f.Outcome.Describe()}\n{Convert.ToBase64String(f.Input.AsSpan(0, Math.Min(f.Input.Length, 512)))}\n{f.Outcome.Exception}")));
        Assert.Equal(CasesPerTarget, report.Cases);
        // The seeds must reach the parser's accepting paths, or the mutations only ever exercise the first check.
        Assert.True(report.SeedsAccepted > 0, $"no seed of {target} was accepted");
    }

    [Fact]
    public void Every_parser_reading_outside_input_has_a_target()
    {
        string[] names = [.. FuzzTargets.All(_work).Select(t => t.Name)];

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Superset(new HashSet<string>(
        [
            "stream-whole", "stream-chunked", "stream-async", "stream-push", "device-state-generic", "device-state-resealed", "resume-v1-region", "resume-v2",
            "configuration-text", "foreign-configuration", "model-id", "sysfs-attribute", "names", "migration-info-json",
            "host-capabilities-json", "definition-json", "state-schema-json", "migration-state-file", "emulated-faults-file",
        ], StringComparer.Ordinal), new HashSet<string>(names, StringComparer.Ordinal));
    }
}
