using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Vfio.Errors;

namespace Vfio.Reliability.Fuzz;

/// <summary>What a fuzz run does and where its limits are.</summary>
internal sealed record FuzzOptions
{
    /// <summary>The bound's fixed part: what any case may allocate on its thread whatever its input.</summary>
    public const long DefaultAllocationBaseBytes = 16L << 20;

    /// <summary>The bound's proportional part, per input byte.</summary>
    public const long DefaultAllocationPerInputByte = 32;

    /// <summary>Seed of every case input.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Cases per target (ignored when <see cref="Duration"/> is set).</summary>
    public long CasesPerTarget { get; init; } = 1000;

    /// <summary>When set, each target runs for its share of this time instead of a fixed number of cases.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>A case running longer than this is a hang.</summary>
    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fixed part of the allocation bound.</summary>
    public long AllocationBaseBytes { get; init; } = DefaultAllocationBaseBytes;

    /// <summary>Per-input-byte part of the allocation bound.</summary>
    public long AllocationPerInputByte { get; init; } = DefaultAllocationPerInputByte;

    /// <summary>Where failing inputs are written; null writes nothing.</summary>
    public string? CrashDirectory { get; init; }

    /// <summary>The allocation bound for an input of <paramref name="inputLength"/> bytes.</summary>
    public long AllocationBound(int inputLength) => AllocationBaseBytes + AllocationPerInputByte * inputLength;
}

/// <summary>One failing case, kept for the report and written to the crash directory.</summary>
/// <param name="Index">The case index (-1 and below: the seed inputs, unmutated).</param>
/// <param name="Outcome">How it failed.</param>
/// <param name="Input">The input.</param>
/// <param name="File">Where the input was written, if it was.</param>
internal sealed record FuzzFailure(long Index, CaseOutcome Outcome, byte[] Input, string? File);

/// <summary>The figures of one target.</summary>
internal sealed class TargetReport(string name)
{
    public string Name { get; } = name;
    public int SeedCount { get; set; }
    public int SeedsAccepted { get; set; }
    public long Cases { get; set; }
    public long Successes { get; set; }
    public SortedDictionary<ErrorCode, long> Errors { get; } = [];
    public long Crashes { get; set; }
    public long Hangs { get; set; }
    public long OverAllocations { get; set; }
    public long MaxAllocatedBytes { get; set; }
    public TimeSpan Elapsed { get; set; }
    public List<FuzzFailure> Failures { get; } = [];
    public long FailureCount => Crashes + Hangs + OverAllocations;

    public void Count(CaseOutcome outcome)
    {
        Cases++;
        MaxAllocatedBytes = Math.Max(MaxAllocatedBytes, outcome.AllocatedBytes);
        switch (outcome.Verdict)
        {
            case CaseVerdict.Success:
                Successes++;
                break;
            case CaseVerdict.CatalogueError:
                Errors[outcome.Code!.Value] = Errors.GetValueOrDefault(outcome.Code.Value) + 1;
                break;
            case CaseVerdict.Crash:
                Crashes++;
                break;
            case CaseVerdict.Hang:
                Hangs++;
                break;
            default:
                OverAllocations++;
                break;
        }
    }
}

/// <summary>
/// Runs cases against targets and judges each: success or a catalogue error passes; any other exception, a case
/// longer than the hang timeout, or a case allocating more than the bound fails.
/// </summary>
/// <remarks>
/// Cases run on a worker thread that a watchdog (the calling thread) checks every few milliseconds. A hung case's
/// worker is abandoned (it is a background thread) and a new worker carries on with the next case. Every case input
/// is a function of (seed, target name, case index) alone, so a run is reproducible case by case, whatever hung.
/// </remarks>
internal static class FuzzEngine
{
    private const int MaxFailuresKept = 20;

    /// <summary>The input of case <paramref name="index"/> of a target: deterministic from the seed.</summary>
    public static byte[] CaseInput(int seed, string target, long index, IReadOnlyList<byte[]> seeds) =>
        Mutator.Mutate(new Random(CaseSeed(seed, target, index)), seeds);

    /// <summary>The System.Random seed of one case: FNV-1a over the run seed, the target name and the index.</summary>
    public static int CaseSeed(int seed, string target, long index)
    {
        ulong h = 0xcbf29ce484222325;
        void Mix(ulong v)
        {
            for (int i = 0; i < 8; i++)
            {
                h = (h ^ (byte)(v >> (8 * i))) * 0x100000001b3;
            }
        }
        Mix((ulong)seed);
        foreach (char c in target)
        {
            Mix(c);
        }
        Mix((ulong)index);
        return (int)(h ^ (h >> 32));
    }

    /// <summary>Runs one case on the current thread and judges it (no hang detection: see <see cref="JudgeWithTimeout"/>).</summary>
    public static CaseOutcome Judge(Action<byte[]> run, byte[] input, FuzzOptions options)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? thrown = null;
        try
        {
            run(input);
        }
#pragma warning disable CA1031 // The oracle: every exception is caught here and judged, none is hidden.
        catch (Exception e)
#pragma warning restore CA1031
        {
            thrown = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (thrown is not null && !(thrown is VfioException v && Enum.IsDefined(v.Code)))
        {
            return new CaseOutcome(CaseVerdict.Crash, null, thrown, allocated);
        }
        if (allocated > options.AllocationBound(input.Length))
        {
            return new CaseOutcome(CaseVerdict.OverAllocation, (thrown as VfioException)?.Code, thrown, allocated);
        }
        return thrown is VfioException error
            ? new CaseOutcome(CaseVerdict.CatalogueError, error.Code, error, allocated)
            : new CaseOutcome(CaseVerdict.Success, null, null, allocated);
    }

    /// <summary>Runs one case on a fresh thread, with the hang timeout (for <c>--replay</c> and tests).</summary>
    public static CaseOutcome JudgeWithTimeout(Action<byte[]> run, byte[] input, FuzzOptions options)
    {
        CaseOutcome outcome = default;
        var thread = new Thread(() => outcome = Judge(run, input, options), 16 << 20) { IsBackground = true, Name = "fuzz-replay" };
        thread.Start();
        return thread.Join(options.HangTimeout) ? outcome : new CaseOutcome(CaseVerdict.Hang, null, null, -1);
    }

    /// <summary>Runs the seeds and then the cases of one target.</summary>
    public static TargetReport RunTarget(FuzzTarget target, FuzzOptions options, TextWriter? log = null)
    {
        var report = new TargetReport(target.Name);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<byte[]> seeds = target.Seeds();
        report.SeedCount = seeds.Count;
        var runner = new WatchedRunner(target, seeds, options, report);
        // Seeds first, unmutated: they must pass too, and most should be accepted (or the corpus reaches nothing).
        runner.Run(-seeds.Count, 0, null);
        long end = options.Duration is null ? options.CasesPerTarget : long.MaxValue;
        runner.Run(0, end, options.Duration);
        report.Elapsed = clock.Elapsed;
        log?.WriteLine(FormatLine(report));
        return report;
    }

    /// <summary>One line of the report table.</summary>
    public static string FormatLine(TargetReport r)
    {
        string errors = string.Join(' ', r.Errors.OrderByDescending(e => e.Value).Take(4).Select(e => $"{ErrorCatalogue.Id(e.Key)}:{e.Value}"));
        return $"{r.Name,-30} {r.Cases,9} {r.Successes,8} {r.Cases - r.Successes - r.FailureCount,8} {r.Crashes,6} {r.Hangs,5} {r.OverAllocations,6} " +
               $"{r.MaxAllocatedBytes / 1024,9} {r.Elapsed.TotalSeconds,7:F1}  seeds {r.SeedsAccepted}/{r.SeedCount}  {errors}";
    }

    /// <summary>The header of the report table.</summary>
    public static string HeaderLine =>
        $"{"target",-30} {"cases",9} {"ok",8} {"refused",8} {"crash",6} {"hang",5} {"alloc",6} {"max KiB",9} {"time s",7}  seeds accepted, top error codes";

    private static string? WriteFailure(string? directory, string target, long index, CaseOutcome outcome, byte[] input)
    {
        if (directory is null)
        {
            return null;
        }
        Directory.CreateDirectory(directory);
        string hash = Convert.ToHexStringLower(SHA256.HashData(input))[..16];
        string path = Path.Join(directory, $"{target}-{outcome.Verdict.ToString().ToLowerInvariant()}-{hash}.bin");
        File.WriteAllBytes(path, input);
        var text = new StringBuilder()
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"target: {target}")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"case: {index}")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"outcome: {outcome.Describe()}")
            .AppendLine(outcome.Exception?.ToString() ?? string.Empty);
        File.WriteAllText(Path.ChangeExtension(path, ".txt"), text.ToString());
        return path;
    }

    /// <summary>Runs a range of cases on a worker thread under a watchdog.</summary>
    private sealed class WatchedRunner(FuzzTarget target, IReadOnlyList<byte[]> seeds, FuzzOptions options, TargetReport report)
    {
        private readonly Lock _gate = new();
        private long _current;
        private long _startedAt; // Stopwatch timestamp of the running case; 0 between cases.
        private int _generation;
        private bool _finished;

        private byte[] Input(long index) => index < 0 ? seeds[(int)(index + seeds.Count)] : CaseInput(options.Seed, target.Name, index, seeds);

        public void Run(long from, long to, TimeSpan? budget)
        {
            var clock = Stopwatch.StartNew();
            TimeSpan deadline = budget ?? TimeSpan.MaxValue;
            long next = from;
            while (next < to)
            {
                int generation;
                lock (_gate)
                {
                    generation = ++_generation;
                    _finished = false;
                    _startedAt = 0;
                }
                long first = next;
                var worker = new Thread(() => Work(generation, first, to, clock, deadline), 16 << 20)
                {
                    IsBackground = true,
                    Name = $"fuzz-{target.Name}",
                };
                worker.Start();
                while (!worker.Join(20))
                {
                    lock (_gate)
                    {
                        long at = _startedAt;
                        if (at != 0 && Stopwatch.GetElapsedTime(at) > options.HangTimeout)
                        {
                            // Abandon the worker: it never records again (its generation is stale).
                            _generation++;
                            long hung = _current;
                            Record(hung, Input(hung), new CaseOutcome(CaseVerdict.Hang, null, null, -1));
                            next = hung + 1;
                            break;
                        }
                    }
                }
                lock (_gate)
                {
                    if (_finished)
                    {
                        return;
                    }
                }
                if (clock.Elapsed > deadline)
                {
                    return;
                }
            }
        }

        private void Work(int generation, long from, long to, Stopwatch clock, TimeSpan deadline)
        {
            for (long i = from; i < to && clock.Elapsed < deadline; i++)
            {
                byte[] input = Input(i);
                lock (_gate)
                {
                    if (generation != _generation)
                    {
                        return;
                    }
                    _current = i;
                    _startedAt = Stopwatch.GetTimestamp();
                }
                CaseOutcome outcome = Judge(target.Run, input, options);
                lock (_gate)
                {
                    if (generation != _generation)
                    {
                        return;
                    }
                    _startedAt = 0;
                    Record(i, input, outcome);
                }
            }
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _finished = true;
                }
            }
        }

        // Called under _gate.
        private void Record(long index, byte[] input, CaseOutcome outcome)
        {
            if (index < 0)
            {
                report.SeedsAccepted += outcome.Verdict == CaseVerdict.Success ? 1 : 0;
                if (!outcome.IsFailure)
                {
                    return;
                }
            }
            report.Count(outcome);
            if (outcome.IsFailure && report.Failures.Count < MaxFailuresKept)
            {
                string? file = WriteFailure(options.CrashDirectory, target.Name, index, outcome, input);
                report.Failures.Add(new FuzzFailure(index, outcome, input, file));
            }
        }
    }
}
