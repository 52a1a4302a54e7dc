using Mdev.Manager.Definitions;
using Mdev.Manager.Names;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Stop;

/// <summary><c>vfioctl stop</c>.</summary>
internal sealed class StopCommand(MdevDefinitions definitions)
{
    public int Execute(MdevUuid uuid)
    {
        definitions.Stop(uuid);
        return ExitCodes.Ok;
    }
}
