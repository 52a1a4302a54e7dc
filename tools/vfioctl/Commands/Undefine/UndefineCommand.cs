using Mdev.Manager.Definitions;
using Mdev.Manager.Names;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Undefine;

/// <summary><c>vfioctl undefine</c>.</summary>
internal sealed class UndefineCommand(DefinitionStore store)
{
    public int Execute(MdevUuid uuid, ParentDeviceName? parent)
    {
        store.Undefine(uuid, parent);
        return ExitCodes.Ok;
    }
}
