using System.IO.Pipelines;
using Vfio.Manager.Migration;
using Vfio.DeviceModels;

namespace Vfio.Samples.OperatorService;

/// <summary>
/// What an operator's service does with the manager, without the CLI: check a move first (nothing is touched),
/// then migrate with progress events, and read the outcome. Every call goes through <see cref="MigrationOrchestrator"/>.
/// </summary>
/// <param name="orchestrator">The manager's migration API.</param>
/// <param name="events">Receives every progress event as it happens (on the thread doing the step).</param>
public sealed class MigrationService(MigrationOrchestrator orchestrator, IProgress<MigrationProgress> events)
{
    /// <summary>Checks, then (only when compatible) migrates <paramref name="source"/> to <paramref name="destination"/>.</summary>
    /// <param name="source">The running device to move.</param>
    /// <param name="destination">Where it goes (an existing device, or a type to create one as).</param>
    /// <param name="cancellationToken">Cancels the move up to its point of no return; the source then runs again.</param>
    /// <returns>The check's result, and the migration's outcome (null when the check refused).</returns>
    public async Task<MoveReport> MoveAsync(MigrationSource source, MigrationDestination destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        CompatibilityResult check = orchestrator.Check(source, destination);
        if (!check.IsCompatible)
        {
            return new MoveReport(check, null);
        }
        MigrationOutcome outcome = await orchestrator.MigrateAsync(source, destination, MigrationOptions.Default, events, cancellationToken).ConfigureAwait(false);
        return new MoveReport(check, outcome);
    }

    /// <summary>
    /// The two-host story without a one-process migration: save on the source and load on the destination through one
    /// stream (here an in-memory pipe; across hosts, what <c>vfioctl save | ssh host vfioctl load</c> carries), then end
    /// it so exactly one side runs. After a successful load the source is retired (<see cref="MigrationOrchestrator.Abort"/>:
    /// reset and left stopped, as <c>vfioctl abort</c>); after a failed one the source runs again
    /// (<see cref="MigrationOrchestrator.Resume"/> with force: the service saw the load fail, so it knows no other device
    /// runs the state; without force a source whose whole stream was written is refused E6030, as a bare CLI resume is).
    /// </summary>
    /// <param name="source">The running device to move.</param>
    /// <param name="destination">Where the stream is loaded (an existing device, or a type to create one as).</param>
    /// <param name="cancellationToken">Cancels both halves; the source then runs again.</param>
    /// <returns>The save's, the load's and the ending's outcomes.</returns>
    public async Task<HandOffReport> HandOffAsync(MigrationSource source, MigrationDestination destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var pipe = new Pipe();
        Task<MigrationOutcome> save = Task.Run(async () =>
        {
            await using Stream output = pipe.Writer.AsStream();
            return await orchestrator.SaveAsync(source, output, MigrationOptions.Default, events, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
        MigrationOutcome load;
        await using (Stream input = pipe.Reader.AsStream())
        {
            // A load that fails stops reading; completing the reader ends the source's writes instead of blocking them.
            load = await orchestrator.LoadAsync(destination, input, MigrationOptions.Default, events, cancellationToken).ConfigureAwait(false);
        }
        MigrationOutcome saved = await save.ConfigureAwait(false);
        MigrationOutcome ended = load.Succeeded
            ? orchestrator.Abort(source.Endpoint, source.Device)
            : orchestrator.Resume(source, force: true);
        return new HandOffReport(saved, load, ended);
    }
}

/// <summary>What a hand-off did.</summary>
/// <param name="Save">The source half: the stream written, the source left stopped.</param>
/// <param name="Load">The destination half: the stream read and the destination running, or why not.</param>
/// <param name="Ending">The source retired (after a load) or running again (after a failed one).</param>
public sealed record HandOffReport(MigrationOutcome Save, MigrationOutcome Load, MigrationOutcome Ending)
{
    /// <summary>Whether the device now runs on the destination (and only there).</summary>
    public bool Moved => Load.Succeeded && Ending.Succeeded;
}

/// <summary>What a move did.</summary>
/// <param name="Check">Steps 1-2: every problem, or the configuration the destination runs.</param>
/// <param name="Outcome">The migration's outcome; null when the check refused and nothing was moved.</param>
public sealed record MoveReport(CompatibilityResult Check, MigrationOutcome? Outcome)
{
    /// <summary>Whether the device now runs on the destination.</summary>
    public bool Moved => Outcome is { Succeeded: true };
}

/// <summary>Progress events delivered synchronously, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
/// <param name="report">What to do with each event.</param>
public sealed class ProgressEvents(Action<MigrationProgress> report) : IProgress<MigrationProgress>
{
    /// <inheritdoc/>
    public void Report(MigrationProgress value) => report(value);
}
