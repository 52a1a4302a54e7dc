using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Undefine;

/// <summary><c>vfioctl undefine</c>.</summary>
internal sealed class UndefineCommand(DefinitionStore store)
{
    public int Execute(MdevUuid uuid, ParentDeviceName? parent)
    {
        store.Undefine(uuid, parent);
        return ExitCodes.Ok;
    }
}
