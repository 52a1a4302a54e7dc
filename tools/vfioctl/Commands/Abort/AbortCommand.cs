using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Abort;

/// <summary><c>vfioctl abort</c>: ends a migration on a device that must not run, and an interrupted one found in the journal.</summary>
internal sealed class AbortCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console)
{
    public int Execute(MdevUuid uuid)
    {
        MigrationOutcome outcome = orchestrator.Abort(hosts.Local, uuid, root => hosts.Open(root));
        if (outcome.Interrupted && outcome.Succeeded)
        {
            console.Error.WriteLine($"warning {ErrorCatalogue.Id(ErrorCode.MigrationInterrupted)} {ErrorCatalogue.Name(ErrorCode.MigrationInterrupted)}: " +
                $"an interrupted migration of {uuid} was found in the journal and ended");
        }
        outcome.ThrowIfFailed();
        console.Output.WriteLine(outcome.DestinationRemoved
            ? $"{uuid} was created by the interrupted load and is removed"
            : $"{uuid} is reset, stopped and retired ('vfioctl resume' refuses it without --force); 'vfioctl stop -u {uuid}' removes it");
        return ExitCodes.Ok;
    }
}
