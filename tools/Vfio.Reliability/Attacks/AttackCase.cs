using System.Text.RegularExpressions;
using Vfio.Reliability.Faults;

namespace Vfio.Reliability.Attacks;

/// <summary>One attack: what an operator (or the host) does, and the code the CLI must answer with.</summary>
/// <param name="Id">A short unique name.</param>
/// <param name="Class">The fault class (errno, read-only, unprivileged, file kind, hang, unbounded, bad file, spelling, test hook, state).</param>
/// <param name="Expected">The catalogue code expected (<c>E6092</c>), or <c>ok</c> when the verb must succeed.</param>
/// <param name="Run">Runs the attack on a fresh host and judges it.</param>
internal sealed record AttackCase(string Id, string Class, string Expected, Func<AttackHost, Task<AttackResult>> Run);

/// <summary>What an attack did: the code (or <c>ok</c>) it got, whether the promise held, and why not.</summary>
internal sealed partial record AttackResult(string Got, bool Held, IReadOnlyList<string> Problems, bool NotApplicable = false)
{
    public static AttackResult NotApplicableHere(string why) => new("n/a", true, [why], NotApplicable: true);

    /// <summary>
    /// Judges one vfioctl run against the rules every attack shares: the expected code (or success), printed as one
    /// <c>error E&lt;code&gt;</c> line; never an unhandled exception or a stack trace; no hang; then the case's own checks.
    /// </summary>
    public static AttackResult Judge(ProcessResult run, string expected, params (bool Ok, string What)[] checks)
    {
        var problems = new List<string>();
        string got = run.TimedOut ? "hang" : run.ExitCode == 0 ? "ok" : FirstCode(run.Err) ?? $"exit {run.ExitCode}, no code";
        if (got != expected)
        {
            problems.Add($"expected {expected}, got {got}: {FirstLine(run.Err)}");
        }
        if (run.Err.Contains("Unhandled exception", StringComparison.Ordinal) || run.Out.Contains("Unhandled exception", StringComparison.Ordinal)
            || StackFrame().IsMatch(run.Err))
        {
            problems.Add("an unhandled exception or stack trace reached the user");
        }
        problems.AddRange(checks.Where(c => !c.Ok).Select(c => c.What));
        return new AttackResult(got, problems.Count == 0, problems);
    }

    private static string? FirstCode(string text) => ErrorLine().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static string FirstLine(string text) => text.Split('\n').FirstOrDefault(l => l.StartsWith("error ", StringComparison.Ordinal)) ?? text.Trim().Split('\n').LastOrDefault() ?? "";

    [GeneratedRegex(@"(?m)^error (E\d{4}) ")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"(?m)^\s+at [\w.<>`]+\(")]
    private static partial Regex StackFrame();
}
