using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Stop;

/// <summary><c>vfioctl stop</c>.</summary>
internal sealed class StopCommand(MdevDefinitions definitions)
{
    public int Execute(MdevUuid uuid)
    {
        definitions.Stop(uuid);
        return ExitCodes.Ok;
    }
}
