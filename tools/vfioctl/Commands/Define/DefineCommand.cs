using Vfio.Manager.Definitions;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Define;

/// <summary><c>vfioctl define</c>: writes an mdevctl-format definition whose attrs pin the configuration.</summary>
internal sealed class DefineCommand(MdevDefinitions definitions, CliConsole console)
{
    public int Execute(MdevUuid? uuid, ParentDeviceName? parent, MdevTypeName? type, bool auto, string? config)
    {
        MdevHost host = definitions.Host;
        MdevDefinition definition;
        if (parent is null || type is null)
        {
            // mdevctl define -u <running device>: the definition records what the device runs now.
            MdevDevice running = host.GetDevice(uuid!.Value);
            DeviceConfiguration current = config is null
                ? host.ReadConfiguration(running.Uuid)
                : ConfigurationText.ForType(host, running.Parent, running.Type, config, running.Uuid)!;
            definition = definitions.Pinned(running.Uuid, running.Parent, running.Type, current, auto);
        }
        else
        {
            MdevUuid id = uuid ?? MdevUuid.NewUuid();
            MdevType found = host.GetSupportedType(parent.Value, type.Value);
            DeviceConfiguration? pinned = ConfigurationText.ForType(host, parent.Value, type.Value, config, uuid);
            // No --config: pin the type's init configuration, so the device starts the same on every host and
            // after every driver update (an unpinned device would follow the driver's newest defaults).
            pinned ??= found.Migration is { } info ? DeviceConfiguration.FromInit(info.DefaultModel) : null;
            definition = pinned is null
                ? new MdevDefinition(id, parent.Value, type.Value, auto, [])
                : definitions.Pinned(id, parent.Value, type.Value, pinned, auto);
        }
        definitions.Store.Define(definition);
        if (uuid is null)
        {
            console.Output.WriteLine(definition.Uuid);
        }
        return ExitCodes.Ok;
    }
}
