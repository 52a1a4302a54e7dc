using System.Globalization;
using System.Text;
using System.Text.Json;
using Vfio.Manager.Definitions;

namespace Vfio.Reliability.Concurrency;

/// <summary>
/// One operation a worker made and how it ended, one JSON line in <c>logs/worker-&lt;n&gt;.jsonl</c>. Times are
/// <see cref="System.Diagnostics.Stopwatch"/> timestamps (CLOCK_MONOTONIC on Linux), comparable between the processes
/// of one machine: an operation's effect happened somewhere between <see cref="Start"/> and <see cref="End"/>.
/// </summary>
/// <param name="Worker">The worker's index.</param>
/// <param name="Sequence">The operation's index within the worker.</param>
/// <param name="Operation">create, stop, define, modify, undefine, start, open or list.</param>
/// <param name="Via">lib (the manager library in the worker) or cli (a vfioctl child process).</param>
/// <param name="Uuid">The device or definition the operation is about, if any.</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it returned.</param>
/// <param name="Outcome"><see cref="Ok"/>, a catalogue id (E6006), <see cref="Crash"/> or <see cref="Hang"/>.</param>
/// <param name="Definition">For define and modify: the definition it writes, as <see cref="Canonical"/> renders it.</param>
/// <param name="Detail">For a crash or hang: what was seen (exception, stderr).</param>
internal sealed record OperationRecord(
    int Worker,
    int Sequence,
    string Operation,
    string Via,
    string? Uuid,
    long Start,
    long End,
    string Outcome,
    string? Definition = null,
    string? Detail = null)
{
    public const string Ok = "ok";

    /// <summary>An exception that is not a catalogue error, or a CLI that exited non-zero without an error line.</summary>
    public const string Crash = "crash";

    /// <summary>A CLI child that did not finish within its timeout (it is killed).</summary>
    public const string Hang = "hang";

    public bool Succeeded => Outcome == Ok;

    /// <summary>A definition's content in one comparable string: parent, type, start mode and the attribute writes in order.</summary>
    public static string Canonical(MdevDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{definition.Parent}/{definition.Type} start={(definition.AutoStart ? "auto" : "manual")}");
        foreach (KeyValuePair<string, string> attribute in definition.Attributes)
        {
            text.Append(CultureInfo.InvariantCulture, $" {attribute.Key}={attribute.Value}");
        }
        return text.ToString();
    }

    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("worker", Worker);
            json.WriteNumber("seq", Sequence);
            json.WriteString("op", Operation);
            json.WriteString("via", Via);
            json.WriteString("uuid", Uuid);
            json.WriteNumber("start", Start);
            json.WriteNumber("end", End);
            json.WriteString("outcome", Outcome);
            if (Definition is not null)
            {
                json.WriteString("definition", Definition);
            }
            if (Detail is not null)
            {
                json.WriteString("detail", Detail);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <exception cref="FormatException">The line is not a record (a worker killed mid-write leaves at most its last line torn).</exception>
    public static OperationRecord Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            JsonElement o = document.RootElement;
            return new OperationRecord(
                o.GetProperty("worker").GetInt32(),
                o.GetProperty("seq").GetInt32(),
                o.GetProperty("op").GetString()!,
                o.GetProperty("via").GetString()!,
                o.GetProperty("uuid").GetString(),
                o.GetProperty("start").GetInt64(),
                o.GetProperty("end").GetInt64(),
                o.GetProperty("outcome").GetString()!,
                o.TryGetProperty("definition", out JsonElement d) ? d.GetString() : null,
                o.TryGetProperty("detail", out JsonElement x) ? x.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not an operation record: {line}", e);
        }
    }

    /// <summary>Every record of every worker log in a directory, and the lines that did not parse.</summary>
    public static (List<OperationRecord> Records, List<string> Unreadable) ReadAll(string logDirectory)
    {
        var records = new List<OperationRecord>();
        var unreadable = new List<string>();
        foreach (string file in Directory.EnumerateFiles(logDirectory, "worker-*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.Length == 0)
                {
                    continue;
                }
                try
                {
                    records.Add(Parse(line));
                }
                catch (FormatException e)
                {
                    unreadable.Add($"{Path.GetFileName(file)}: {e.Message}");
                }
            }
        }
        return (records, unreadable);
    }
}
