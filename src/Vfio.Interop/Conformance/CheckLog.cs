namespace Vfio.Conformance;

/// <summary>
/// Collects observations per check while the kit runs; a check's outcome is its worst observation (fail, then warn,
/// then pass), or skip with the reason given when nothing was observed.
/// </summary>
internal sealed class CheckLog
{
    private const int MaxProblemsShown = 3;

    private readonly List<string> _order = [];
    private readonly Dictionary<string, List<(CheckOutcome Outcome, string Detail)>> _observations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _skips = new(StringComparer.Ordinal);

    public void Pass(string check, string detail) => Add(check, CheckOutcome.Pass, detail);

    public void Warn(string check, string detail) => Add(check, CheckOutcome.Warn, detail);

    public void Fail(string check, string detail) => Add(check, CheckOutcome.Fail, detail);

    public void Expect(string check, bool ok, string passDetail, string failDetail) =>
        Add(check, ok ? CheckOutcome.Pass : CheckOutcome.Fail, ok ? passDetail : failDetail);

    /// <summary>Marks a check skipped unless something is observed for it.</summary>
    public void Skip(string check, string reason)
    {
        Declare(check);
        _skips[check] = reason;
    }

    /// <summary>Fixes a check's place in the report before its first observation.</summary>
    public void Declare(string check)
    {
        if (!_order.Contains(check))
        {
            _order.Add(check);
        }
    }

    public bool HasFailed(string check) =>
        _observations.TryGetValue(check, out var list) && list.Any(o => o.Outcome == CheckOutcome.Fail);

    public IReadOnlyList<ConformanceCheck> Results() => _order.Select(Result).ToArray();

    private void Add(string check, CheckOutcome outcome, string detail)
    {
        Declare(check);
        if (!_observations.TryGetValue(check, out var list))
        {
            _observations[check] = list = [];
        }
        list.Add((outcome, detail));
    }

    private ConformanceCheck Result(string check)
    {
        if (!_observations.TryGetValue(check, out var list) || list.Count == 0)
        {
            return new ConformanceCheck(check, CheckOutcome.Skip, _skips.GetValueOrDefault(check, "not reached"));
        }
        CheckOutcome worst = list.Any(o => o.Outcome == CheckOutcome.Fail) ? CheckOutcome.Fail
            : list.Any(o => o.Outcome == CheckOutcome.Warn) ? CheckOutcome.Warn
            : CheckOutcome.Pass;
        // The detail of the worst observations, or every pass joined when all passed; a driver that fails a rule
        // everywhere is named by its first few failures, not by all of them.
        string[] details = list.Where(o => o.Outcome == worst).Select(o => o.Detail).Distinct(StringComparer.Ordinal).ToArray();
        string text = worst == CheckOutcome.Pass || details.Length <= MaxProblemsShown
            ? string.Join("; ", details)
            : string.Join("; ", details.Take(MaxProblemsShown)) + $"; and {details.Length - MaxProblemsShown} more";
        return new ConformanceCheck(check, worst, text);
    }
}
