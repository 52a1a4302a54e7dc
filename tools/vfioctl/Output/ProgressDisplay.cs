using System.Globalization;
using Mdev.Manager;
using Spectre.Console;
using Vfioctl.Cli;

namespace Vfioctl.Output;

/// <summary>
/// Migration progress on stderr: a live bar when stderr is a terminal, otherwise one quiet line per phase or
/// pre-copy round (never per chunk), so logs stay readable and stdout stays free for the stream.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliConsole console, string verb, Func<IProgress<MigrationProgress>, Task<T>> work)
    {
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
