using Mdev.Manager;
using Vfioctl.Cli;
using Vfioctl.Host;

namespace Vfioctl.Commands.Start;

/// <summary>
/// <c>vfioctl start</c>: the manager's pinned creation (validate, create, write off values then wanted values,
/// read back, remove on failure), from a definition or from the command line.
/// </summary>
internal sealed class StartCommand(MdevDefinitions definitions, CliConsole console)
{
    public int Execute(MdevUuid? uuid, ParentDeviceName? parent, MdevTypeName? type, string? config)
    {
        MdevDevice device;
        if (type is MdevTypeName t)
        {
            MdevUuid id = uuid ?? MdevUuid.NewUuid();
            device = definitions.Host.Create(parent!.Value, t, id, ConfigurationText.ForType(definitions.Host, parent.Value, t, config, id));
        }
        else
        {
            device = definitions.Start(uuid!.Value, parent);
        }
        if (uuid is null)
        {
            console.Output.WriteLine(device.Uuid);
        }
        return ExitCodes.Ok;
    }
}
