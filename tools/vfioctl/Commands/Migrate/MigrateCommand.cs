using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Migrate;

/// <summary><c>vfioctl migrate</c>: the orchestrator's four steps (docs/orchestrator.md) in one process (same host, or two emulated hosts).</summary>
internal sealed class MigrateCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console, TerminationSignals signals)
{
    public async Task<int> ExecuteAsync(MdevUuid source, MigrateTarget target, MigrationOptions options, CancellationToken cancellationToken, bool json = false)
    {
        using IDisposable moving = signals.MoveState();
        MigrationEndpoint destinationHost = hosts.Open(target.Root);
        MigrationDestination destination = target.Device is MdevUuid existing
            ? MigrationDestination.Existing(destinationHost, existing)
            : MigrationDestination.NewDevice(destinationHost, target.Type!.Value.Parent, target.Type.Value.Type, target.NewUuid ?? MdevUuid.NewUuid());
        MigrationOutcome outcome = await ProgressDisplay.RunAsync(console, "migrate",
            progress => orchestrator.MigrateAsync(new MigrationSource(hosts.Local, source), destination, options, progress, cancellationToken), json).ConfigureAwait(false);
        CommonOptions.WarnForced(console.Error, outcome.Overridden);
        if (json)
        {
            ProgressDisplay.WriteOutcome(console.Error, "migrate", outcome);
        }
        else
        {
            console.Error.WriteLine($"migrate {source}: {outcome}");
        }
        outcome.ThrowIfFailed();
        console.Output.WriteLine($"migrated {source} -> {outcome.Destination} ({ProgressDisplay.Bytes(outcome.Bytes)}, {outcome.PreCopyIterations} pre-copy round(s)); the destination runs, the source is stopped");
        return ExitCodes.Ok;
    }
}
