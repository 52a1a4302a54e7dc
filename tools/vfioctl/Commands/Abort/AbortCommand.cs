using Mdev.Manager;
using Vfioctl.Cli;
using Vfioctl.Host;

namespace Vfioctl.Commands.Abort;

/// <summary><c>vfioctl abort</c>.</summary>
internal sealed class AbortCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console)
{
    public int Execute(MdevUuid uuid)
    {
        MigrationOutcome outcome = orchestrator.Abort(hosts.Local, uuid);
        outcome.ThrowIfFailed();
        console.Output.WriteLine($"{uuid} is reset and stopped; 'vfioctl stop -u {uuid}' removes it");
        return ExitCodes.Ok;
    }
}
