using Vfio.Reliability.Attacks;
using Vfio.Reliability.Faults;

namespace Vfio.Tests.Reliability;

/// <summary>
/// The operational attacks at CI size (an 8 MiB document instead of 93 MiB; everything else as in the full run): every
/// attack runs the real vfioctl as a child process, with the errno fault shim where the disk fails, and every one that
/// applies here must hold. The oracle is proven on results that must not pass.
/// </summary>
public sealed class AttackRunTests
{
    [Fact]
    public async Task Every_applicable_attack_holds()
    {
        string root = Directory.CreateTempSubdirectory("attacks-test-").FullName;
        try
        {
            var output = new StringWriter();
            IReadOnlyList<AttackRun.Row> rows = await AttackRun.RunAsync(new AttackRun.Options(root, Vfioctl: null, Only: null, BigMiB: 8, Jobs: 2, Markdown: null, Keep: false), output);

            Assert.True(rows.Count >= 38, output.ToString());
            Assert.All(rows, r => Assert.True(r.Result.Held, $"{r.Case.Id}: {string.Join("; ", r.Result.Problems)}\n{output}"));
            // Every class of the issue is tried; only the production-build and unprivileged ones may not apply here.
            string[] classes = ["errno", "read-only", "unprivileged", "file kind", "hang", "unbounded", "bad file", "spelling", "test hook", "state"];
            Assert.All(classes, c => Assert.Contains(rows, r => r.Case.Class == c));
            Assert.All(rows.Where(r => r.Result.NotApplicable), r => Assert.Contains(r.Case.Class, new[] { "test hook", "unprivileged" }));
            Assert.DoesNotContain("Unhandled exception", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_oracle_fails_a_wrong_code_a_stack_trace_a_hang_and_a_failed_check()
    {
        var named = new ProcessResult("x", 1, "", "error E6092 file-system-full: writing ... ENOSPC\n  see docs/errors.md#e6092-file-system-full\n", false, false);
        var crashed = new ProcessResult("x", 134, "", "Unhandled exception. System.IO.IOException: No space left on device\n   at System.IO.RandomAccess.WriteAtOffset(SafeFileHandle handle)\n", false, false);
        var hung = new ProcessResult("x", -1, "", "", false, true);

        Assert.True(AttackResult.Judge(named, "E6092").Held);
        Assert.Equal("E6092", AttackResult.Judge(named, "E6092").Got);
        Assert.False(AttackResult.Judge(named, "E6093").Held);
        Assert.False(AttackResult.Judge(named, "E6092", (false, "old content changed")).Held);
        AttackResult crash = AttackResult.Judge(crashed, "E6092");
        Assert.False(crash.Held);
        Assert.Contains(crash.Problems, p => p.Contains("stack trace", StringComparison.Ordinal));
        Assert.Equal("hang", AttackResult.Judge(hung, "E6094").Got);
        Assert.False(AttackResult.Judge(hung, "E6094").Held);
    }

    [Fact]
    public void Options_parse_and_refuse_unknown_arguments()
    {
        AttackRun.Options? options = AttackRun.Parse(["--big-mib", "8", "--jobs", "3", "--only", "save"]);

        Assert.NotNull(options);
        Assert.Equal(8, options.BigMiB);
        Assert.Equal(3, options.Jobs);
        Assert.Equal("save", options.Only);
        Assert.Equal(93, AttackRun.Parse([])!.BigMiB);
        Assert.Null(AttackRun.Parse(["--bogus"]));
    }
}
