using Mdev.Manager.Migration;
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
