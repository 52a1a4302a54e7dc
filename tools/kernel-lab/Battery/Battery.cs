using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vfio.KernelLab;

/// <summary>One check's outcome, as the host-side tests read it from <c>results.jsonl</c>.</summary>
internal sealed record CheckResult(
    [property: JsonPropertyName("check")] string Check,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("seconds")] double Seconds);

[JsonSerializable(typeof(CheckResult))]
[JsonSerializable(typeof(string))]
internal sealed partial class ResultJson : JsonSerializerContext;

/// <summary>A check that did not hold; its message is the result's detail.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>Runs named checks in order, each isolated from the others' failures, and records each outcome.</summary>
internal sealed class Battery(TextWriter log, string resultsPath, string? only = null)
{
    private readonly List<CheckResult> _results = [];

    public IReadOnlyList<CheckResult> Results => _results;

    public void Check(string id, Func<string> body)
    {
        if (only is not null && !id.StartsWith(only, StringComparison.Ordinal) && id is not ("start-pinned" or "environment"))
        {
            return; // a developer's run of some checks (--only PREFIX); the stage always runs them all
        }
        var clock = Stopwatch.StartNew();
        CheckResult result;
        try
        {
            result = new CheckResult(id, true, body(), clock.Elapsed.TotalSeconds);
        }
        catch (CheckFailedException e)
        {
            result = new CheckResult(id, false, e.Message, clock.Elapsed.TotalSeconds);
        }
#pragma warning disable CA1031 // a check that throws anything else has failed; the battery goes on to the next one
        catch (Exception e)
#pragma warning restore CA1031
        {
            result = new CheckResult(id, false, $"{e.GetType().Name}: {e.Message}", clock.Elapsed.TotalSeconds);
        }
        _results.Add(result);
        log.WriteLine($"{(result.Passed ? "PASS" : "FAIL")} {id} ({result.Seconds:0.0} s): {result.Detail}");
        log.Flush();
        File.AppendAllText(resultsPath, JsonSerializer.Serialize(result, ResultJson.Default.CheckResult) + "\n");
    }

    /// <summary>The results as a Markdown table, for docs/kernel.md.</summary>
    public string ToMarkdown()
    {
        var table = new System.Text.StringBuilder("| check | result | what was seen | seconds |\n| --- | --- | --- | ---: |\n");
        foreach (CheckResult r in _results)
        {
            string detail = r.Detail.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
            table.Append(System.Globalization.CultureInfo.InvariantCulture, $"| `{r.Check}` | {(r.Passed ? "pass" : "**FAIL**")} | {detail} | {r.Seconds:0.0} |\n");
        }
        return table.ToString();
    }

    public static void Require(bool condition, string failure)
    {
        if (!condition)
        {
            throw new CheckFailedException(failure);
        }
    }
}
