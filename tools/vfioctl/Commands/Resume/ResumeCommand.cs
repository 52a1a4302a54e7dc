using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Resume;

/// <summary><c>vfioctl resume</c>: runs a stopped source again, finishing an interrupted migration found in the journal first.</summary>
internal sealed class ResumeCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console)
{
    public int Execute(MdevUuid uuid, bool force = false)
    {
        MigrationOutcome outcome = orchestrator.Resume(new MigrationSource(hosts.Local, uuid), root => hosts.Open(root), force);
        if (outcome.Forced is { } moved)
        {
            console.Error.WriteLine($"warning {ErrorCatalogue.Id(ErrorCode.StateMovedAway)} {ErrorCatalogue.Name(ErrorCode.StateMovedAway)}: " +
                $"--force: {uuid} runs again although {moved.Describe()}; if any other device runs that state, the guest now runs twice. Recorded in the migration log.");
        }
        if (outcome.Interrupted && outcome.Succeeded)
        {
            console.Error.WriteLine($"warning {ErrorCatalogue.Id(ErrorCode.MigrationInterrupted)} {ErrorCatalogue.Name(ErrorCode.MigrationInterrupted)}: " +
                $"an interrupted migration of {uuid} was found in the journal and finished{(outcome.DestinationRemoved ? $"; destination {outcome.Destination} removed" : "")}");
        }
        outcome.ThrowIfFailed();
        console.Output.WriteLine($"{uuid} is running again");
        return ExitCodes.Ok;
    }
}
