using Mdev.Manager;
using Vfio.DeviceModels;
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
            // The configuration is parsed before a UUID is generated, so its errors never name a device that never existed.
            DeviceConfiguration? pinned = ConfigurationText.ForType(definitions.Host, parent!.Value, t, config, uuid);
            device = definitions.Host.Create(parent.Value, t, uuid ?? MdevUuid.NewUuid(), pinned);
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
