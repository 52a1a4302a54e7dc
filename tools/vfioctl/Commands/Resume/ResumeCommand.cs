using Mdev.Manager;
using Vfioctl.Cli;
using Vfioctl.Host;

namespace Vfioctl.Commands.Resume;

/// <summary><c>vfioctl resume</c>.</summary>
internal sealed class ResumeCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console)
{
    public int Execute(MdevUuid uuid)
    {
        MigrationOutcome outcome = orchestrator.Resume(new MigrationSource(hosts.Local, uuid));
        outcome.ThrowIfFailed();
        console.Output.WriteLine($"{uuid} is running again");
        return ExitCodes.Ok;
    }
}
