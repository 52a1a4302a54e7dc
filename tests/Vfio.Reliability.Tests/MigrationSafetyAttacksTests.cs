using Vfio.Reliability.MigrationSafety;

namespace Vfio.Tests.Reliability;

/// <summary>
/// The migration-safety attacks at CI size (all of them: split brain, signals, crash consistency), through the real
/// vfioctl as child processes; every attack must hold and no process may print an unhandled exception.
/// </summary>
public sealed class MigrationSafetyAttacksTests
{
    [Fact]
    public async Task Every_migration_safety_attack_holds()
    {
        string root = Directory.CreateTempSubdirectory("migration-safety-test-").FullName;
        try
        {
            var output = new StringWriter();
            IReadOnlyList<MigrationSafetyResult> results = await MigrationSafetyRun.RunAsync(root, vfioctl: null, only: null, output);

            Assert.Equal(["crash-consistency", "signals", "split-brain"], results.Select(r => r.Class).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(15, results.Count);
            Assert.All(results, r => Assert.True(r.Held, $"{r.Class}: {r.Attack}: {string.Join("; ", r.Problems)}\n{output}"));
            Assert.DoesNotContain("Unhandled exception", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        Assert.Equal(64, MigrationSafetyRun.Run(["--no-such-option"]));
    }
}
