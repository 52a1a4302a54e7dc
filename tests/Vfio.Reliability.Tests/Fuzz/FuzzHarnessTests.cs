using Vfio.Errors;
using Vfio.Reliability.Fuzz;

namespace Vfio.Tests.Reliability.Fuzz;

/// <summary>The harness itself: its oracle catches what it claims to, and a seed fixes every input.</summary>
public sealed class FuzzHarnessTests : IDisposable
{
    private static readonly byte[] Poison = [0xAA, 0x55];
    private readonly ManualResetEventSlim _release = new();
    private readonly string _crashes = Directory.CreateTempSubdirectory("fuzz-crashes-").FullName;

    public void Dispose()
    {
        _release.Set(); // lets abandoned "hung" workers end
        Directory.Delete(_crashes, recursive: true);
    }

    // Seeds: the poison input first, then an ordinary one; the target misbehaves only on the poison.
    private static FuzzTarget Bad(string name, Action poisoned) =>
        new(name, "a deliberately bad target", () => [Poison, [1, 2, 3, 4, 5, 6, 7, 8]], input =>
        {
            if (input.AsSpan().SequenceEqual(Poison))
            {
                poisoned();
            }
            if (input.Length > 6)
            {
                throw new VfioException(ErrorCode.StreamMagic, "refused");
            }
        });

    private FuzzOptions Options(int cases = 40) => new() { Seed = 7, CasesPerTarget = cases, HangTimeout = TimeSpan.FromMilliseconds(300), CrashDirectory = _crashes };

    [Fact]
    public void An_exception_outside_the_catalogue_is_a_crash_and_its_input_is_written()
    {
        TargetReport report = FuzzEngine.RunTarget(Bad("crashy", () => throw new FormatException("boom")), Options());

        FuzzFailure crash = Assert.Single(report.Failures, f => f.Index == -2);
        Assert.Equal(CaseVerdict.Crash, crash.Outcome.Verdict);
        Assert.IsType<FormatException>(crash.Outcome.Exception);
        Assert.Equal(Poison, File.ReadAllBytes(crash.File!));
        Assert.StartsWith("crashy-crash-", Path.GetFileName(crash.File), StringComparison.Ordinal);
        Assert.Contains("FormatException", File.ReadAllText(Path.ChangeExtension(crash.File!, ".txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_VfioException_with_a_code_outside_the_catalogue_is_a_crash()
    {
        var options = Options();

        CaseOutcome undefined = FuzzEngine.Judge(_ => throw new VfioException((ErrorCode)9999, "no such code"), [1], options);
        CaseOutcome defined = FuzzEngine.Judge(_ => throw new VfioException(ErrorCode.StreamCrc, "bad crc"), [1], options);

        Assert.Equal(CaseVerdict.Crash, undefined.Verdict);
        Assert.Equal((CaseVerdict.CatalogueError, ErrorCode.StreamCrc), (defined.Verdict, defined.Code!.Value));
    }

    [Fact]
    public void A_case_that_never_ends_is_a_hang_and_the_run_goes_on()
    {
        TargetReport report = FuzzEngine.RunTarget(Bad("hangs", () => _release.Wait()), Options(cases: 30));

        FuzzFailure hang = Assert.Single(report.Failures, f => f.Index == -2);
        Assert.Equal(CaseVerdict.Hang, hang.Outcome.Verdict);
        Assert.True(report.Hangs >= 1);
        // The hung seed is counted, and every one of the 30 cases still ran after it.
        Assert.Equal(31, report.Cases);
    }

    [Fact]
    public void A_case_allocating_past_the_bound_is_an_over_allocation()
    {
        TargetReport report = FuzzEngine.RunTarget(Bad("greedy", () => GC.KeepAlive(new byte[40 << 20])), Options(cases: 10));

        FuzzFailure greedy = Assert.Single(report.Failures, f => f.Index == -2);
        Assert.Equal(CaseVerdict.OverAllocation, greedy.Outcome.Verdict);
        Assert.True(greedy.Outcome.AllocatedBytes > Options().AllocationBound(Poison.Length));
    }

    [Fact]
    public void Allocation_under_the_bound_passes()
    {
        CaseOutcome outcome = FuzzEngine.Judge(input => GC.KeepAlive(new byte[4 << 20]), [1, 2, 3], Options());

        Assert.Equal(CaseVerdict.Success, outcome.Verdict);
        Assert.True(outcome.AllocatedBytes >= 4 << 20);
    }

    [Fact]
    public void The_same_seed_gives_the_same_inputs_and_another_seed_others()
    {
        IReadOnlyList<byte[]> seeds = [[1, 2, 3, 4], "version=3,rss=on"u8.ToArray(), new byte[300]];

        byte[][] first = [.. Enumerable.Range(0, 200).Select(i => FuzzEngine.CaseInput(20261122, "t", i, seeds))];
        byte[][] again = [.. Enumerable.Range(0, 200).Select(i => FuzzEngine.CaseInput(20261122, "t", i, seeds))];
        byte[][] other = [.. Enumerable.Range(0, 200).Select(i => FuzzEngine.CaseInput(20261123, "t", i, seeds))];

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        // The mutations do change inputs: most cases differ from every seed.
        Assert.True(first.Count(c => seeds.Any(s => s.AsSpan().SequenceEqual(c))) < 20);
    }

    [Fact]
    public void The_same_seed_gives_the_same_report()
    {
        var target = new FuzzTarget("lengths", "refuses by length", () => [[1, 2, 3], [4, 5, 6, 7, 8, 9]], input =>
        {
            if (input.Length % 3 != 0)
            {
                throw new VfioException((ErrorCode)(5001 + input.Length % 3), "refused");
            }
        });

        TargetReport a = FuzzEngine.RunTarget(target, Options(cases: 300));
        TargetReport b = FuzzEngine.RunTarget(target, Options(cases: 300));

        Assert.Equal(a.Errors, b.Errors);
        Assert.Equal(a.Successes, b.Successes);
        Assert.True(a.Successes > 0 && a.Errors.Count == 2);
    }

    [Fact]
    public void Usage_errors_exit_64()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(64, FuzzRun.Run(["--cases", "zero"], output, error));
        Assert.Equal(64, FuzzRun.Run(["--target", "no-such-target", "--cases", "1"], output, error));
        Assert.Equal(64, FuzzRun.Run(["--replay", "x.bin"], output, error));
        Assert.Contains("no-such-target", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_reruns_one_input_through_the_named_target()
    {
        string file = Path.Join(_crashes, "input.bin");
        File.WriteAllBytes(file, "not a stream at all"u8.ToArray());
        var output = new StringWriter();

        int exit = FuzzRun.Run(["--replay", file, "--target", "stream-whole"], output, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Contains("error E5001", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_run_from_the_command_line_reports_every_selected_target()
    {
        var output = new StringWriter();

        int exit = FuzzRun.Run(["--seed", "3", "--cases", "20", "--target", "model-id", "--target", "names", "--crash-dir", _crashes], output, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^model-id\s+20\s", output.ToString());
        Assert.Matches(@"(?m)^names\s+20\s", output.ToString());
        Assert.Contains("total: 40 cases", output.ToString(), StringComparison.Ordinal);
    }
}
