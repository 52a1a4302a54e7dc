using Mdev.Manager;
using Vfio;
using Vfio.DeviceModels;

namespace Vfioctl.Host;

/// <summary>An existing device's model and configuration, read from its <c>migration/</c> files.</summary>
internal static class HostDevices
{
    public static DeviceConfiguration Configuration(MdevHost host, MdevUuid uuid) => Configuration(host, host.GetDevice(uuid));

    public static DeviceConfiguration Configuration(MdevHost host, MdevDevice device)
    {
        DeviceMigrationAttributes attributes = device.Migration
            ?? throw new VfioException(ErrorCode.MigrationInfoMissing,
                $"mediated device {device.Uuid} ({device.Parent}/{device.Type}) has no migration/ directory: its driver does not say which model it runs.")
            { Device = device.Uuid.ToString() };
        // ToString() keeps this independent of whether the manager hands out the id as text or parsed.
        DeviceModelId modelId = DeviceModelId.Parse(attributes.Model.ToString()!);
        MdevType type = host.GetSupportedType(device.Parent, device.Type);
        ModelDescription model = HostModels.Document(type)?.Find(modelId)
            ?? throw new VfioException(ErrorCode.ModelUnknown,
                $"mediated device {device.Uuid} runs model {modelId}, which its type {device.Parent}/{device.Type} does not describe.")
            { Device = device.Uuid.ToString(), Value = modelId.ToString() };
        return DeviceConfiguration.FromValues(model, attributes.Parameters.Select(p => new KeyValuePair<string, string>(p.Key.Value, p.Value)), device: device.Uuid.ToString());
    }
}
