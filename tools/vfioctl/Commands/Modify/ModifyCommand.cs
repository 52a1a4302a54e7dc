using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Modify;

/// <summary><c>vfioctl modify</c>: rewrites a definition; a new type or configuration is validated first.</summary>
internal sealed class ModifyCommand(MdevDefinitions definitions)
{
    public int Execute(MdevUuid uuid, ParentDeviceName? parent, MdevTypeName? type, bool? auto, string? config)
    {
        MdevDefinition current = definitions.Store.Require(uuid, parent);
        MdevTypeName newType = type ?? current.Type;
        MdevDefinition changed = current with { Type = newType, AutoStart = auto ?? current.AutoStart };
        if (config is not null)
        {
            DeviceConfiguration pinned = ConfigurationText.ForType(definitions.Host, current.Parent, newType, config, uuid)!;
            changed = changed with { Attributes = definitions.Pinned(uuid, current.Parent, newType, pinned, changed.AutoStart).Attributes };
        }
        definitions.Store.Modify(changed);
        return ExitCodes.Ok;
    }
}
