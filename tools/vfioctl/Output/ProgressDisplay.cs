using System.Globalization;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Spectre.Console;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Output;

/// <summary>
/// Migration progress on stderr: a live bar when stderr is a terminal, otherwise one quiet line per phase or
/// pre-copy round (never per chunk), so logs stay readable and stdout stays free for the stream.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliConsole console, string verb, Func<IProgress<MigrationProgress>, Task<T>> work, bool json = false)
    {
        if (json)
        {
            return await work(new JsonLines(console.Error, verb)).ConfigureAwait(false);
        }
        if (!console.ErrorIsTerminal)
        {
            return await work(new QuietLines(console.Error, verb)).ConfigureAwait(false);
        }
        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        T result = default!;
        await terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(verb, maxValue: 1);
                task.IsIndeterminate = true;
                result = await work(new Bar(task, verb)).ConfigureAwait(false);
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>One phase in words; <paramref name="rolledBack"/>: a rollback ran, so the end is a rollback, not a finish.</summary>
    public static string Describe(MigrationProgress p, bool rolledBack = false) => p.Phase switch
    {
        MigrationPhase.RollingBack => $"rolling back after {Bytes(p.Bytes)}",
        MigrationPhase.Finished when rolledBack => $"rolled back, {Bytes(p.Bytes)} had moved",
        MigrationPhase.PreCopy => $"pre-copy round {p.Iteration}, {Bytes(p.Bytes)} sent",
        MigrationPhase.StopCopy => $"stop-copy, {Bytes(p.Bytes)} sent",
        MigrationPhase.Loading => $"loading, {Bytes(p.Bytes)} received",
        MigrationPhase.CreatingDestination => "creating the destination device",
        MigrationPhase.Checking => "checking compatibility",
        _ => $"{p.Phase.ToString().ToLowerInvariant()}, {Bytes(p.Bytes)}",
    };

    public static string Bytes(long bytes) => bytes < 10 * 1024
        ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
        : (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " KiB";

    /// <summary>One line per phase or round on <paramref name="error"/> (the demo passes its story's writer and an indent).</summary>
    internal sealed class QuietLines(TextWriter error, string verb) : IProgress<MigrationProgress>
    {
        private (MigrationPhase, int)? _last;
        private bool _rolledBack;

        public void Report(MigrationProgress value)
        {
            if (_last == (value.Phase, value.Iteration))
            {
                return;
            }
            _last = (value.Phase, value.Iteration);
            _rolledBack |= value.Phase == MigrationPhase.RollingBack;
            error.WriteLine($"{verb}: {Describe(value, _rolledBack)}");
        }
    }

    /// <summary>The phase as it appears in a JSON event: <c>pre-copy</c>, <c>stop-copy</c>, <c>rolling-back</c>, ...</summary>
    public static string PhaseName(MigrationPhase phase) => phase switch
    {
        MigrationPhase.CreatingDestination => "creating-destination",
        MigrationPhase.PreCopy => "pre-copy",
        MigrationPhase.StopCopy => "stop-copy",
        MigrationPhase.RollingBack => "rolling-back",
        _ => phase.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// <c>--json</c>: every progress report as one JSON object on its own line of stderr (stdout may carry the stream),
    /// <c>{"event":"progress","verb":...,"phase":...,"bytes":...,"iteration":...}</c>, for an orchestrator to follow.
    /// Unlike the quiet lines, every report is written: each is an event a program may count.
    /// </summary>
    internal sealed class JsonLines(TextWriter error, string verb) : IProgress<MigrationProgress>
    {
        private readonly Lock _sync = new();

        public void Report(MigrationProgress value)
        {
            lock (_sync)
            {
                JsonText.WriteLine(error, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("event", "progress");
                    json.WriteString("verb", verb);
                    json.WriteString("phase", PhaseName(value.Phase));
                    json.WriteNumber("bytes", value.Bytes);
                    json.WriteNumber("iteration", value.Iteration);
                    json.WriteEndObject();
                });
            }
        }
    }

    /// <summary>The last JSON event of <c>--json</c>: how the operation ended, both sides' states and what moved.</summary>
    public static void WriteOutcome(TextWriter error, string verb, MigrationOutcome outcome) => JsonText.WriteLine(error, json =>
    {
        json.WriteStartObject();
        json.WriteString("event", "outcome");
        json.WriteString("verb", verb);
        json.WriteBoolean("succeeded", outcome.Succeeded);
        if (outcome.Exception is { } failure)
        {
            json.WriteString("code", Vfio.Errors.ErrorCatalogue.Id(failure.Code));
            json.WriteString("name", Vfio.Errors.ErrorCatalogue.Name(failure.Code));
            json.WriteString("message", failure.Message);
        }
        WriteDevice(json, "source", outcome.Source, outcome.SourceState?.ToString() ?? (outcome.SourceUntouched ? "untouched" : null));
        WriteDevice(json, "destination", outcome.Destination, outcome.DestinationRemoved ? "removed" : outcome.DestinationState?.ToString());
        json.WriteBoolean("destinationCreated", outcome.DestinationCreated);
        json.WriteNumber("bytes", outcome.Bytes);
        if (outcome.StreamBytes > 0)
        {
            json.WriteNumber("streamBytes", outcome.StreamBytes);
        }
        json.WriteNumber("preCopyIterations", outcome.PreCopyIterations);
        json.WriteStartArray("forced");
        foreach (ForcedProblem forced in outcome.Overridden)
        {
            json.WriteStringValue(Vfio.Errors.ErrorCatalogue.Id(forced.Code));
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void WriteDevice(System.Text.Json.Utf8JsonWriter json, string side, MdevUuid? device, string? state)
    {
        if (device is MdevUuid uuid)
        {
            json.WriteStartObject(side);
            json.WriteString("uuid", uuid.ToString());
            if (state is not null)
            {
                json.WriteString("state", state);
            }
            json.WriteEndObject();
        }
    }

    private sealed class Bar(ProgressTask task, string verb) : IProgress<MigrationProgress>
    {
        private bool _rolledBack;

        public void Report(MigrationProgress value)
        {
            // The device does not say how much is left, so the bar shows the phase and bytes moved, not a percentage.
            _rolledBack |= value.Phase == MigrationPhase.RollingBack;
            task.Description = $"{verb}: {Markup.Escape(Describe(value, _rolledBack))}";
        }
    }
}
