using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Mdev.Manager;

/// <summary>Reads what a device runs: its <c>migration/</c> files, interpreted by its type's capability document.</summary>
internal static class DeviceConfigurations
{
    /// <summary>The model description the device's type publishes for the device's model.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.MigrationInfoMissing"/> when the type has no document or the
    /// device no <c>migration/model</c>; <see cref="ErrorCode.ModelUnknown"/> when the document lacks the device's model.</exception>
    internal static (MdevDevice Device, ModelDescription Model) Describe(MdevHost host, MdevUuid uuid)
    {
        MdevDevice device = host.GetDevice(uuid);
        MdevType type = host.GetSupportedType(device.Parent, device.Type);
        MigrationInfo info = ParseInfo(type, uuid.ToString());
        if (device.Migration is null)
        {
            // A driver without migration/ files runs one fixed configuration per type (ARCHITECTURE.md).
            if (info.Models.Count == 1)
            {
                return (device, info.Models[0]);
            }
            throw new VfioException(ErrorCode.MigrationInfoMissing,
                $"mediated device {uuid} has no migration/ directory and type {device.Type} describes {info.Models.Count} models; expected exactly one")
            {
                Device = uuid.ToString(),
            };
        }
        DeviceModelId id = device.Migration.Model;
        ModelDescription model = info.Find(id) ?? throw new VfioException(ErrorCode.ModelUnknown,
            $"mediated device {uuid} runs model {id} but type {device.Type} of {device.Parent} describes only {string.Join(", ", info.Models.Select(m => m.Id))}")
        {
            Device = uuid.ToString(),
            Value = id.ToString(),
        };
        return (device, model);
    }

    /// <summary>The device's configuration under <paramref name="model"/>.</summary>
    internal static DeviceConfiguration Read(MdevHost host, MdevUuid uuid, ModelDescription model)
    {
        MdevDevice device = host.GetDevice(uuid);
        if (device.Migration is null)
        {
            return DeviceConfiguration.FromInit(model);
        }
        if (device.Migration.Model != model.Id)
        {
            throw new VfioException(ErrorCode.ModelMismatch,
                $"mediated device {uuid} runs model {device.Migration.Model}, expected {model.Id}")
            {
                Device = uuid.ToString(),
                Value = device.Migration.Model.ToString(),
                Expected = model.Id.ToString(),
            };
        }
        return DeviceConfiguration.FromValues(model, device.Migration.Parameters.Select(p => new KeyValuePair<string, string>(p.Key.Value, p.Value)), device: uuid.ToString());
    }

    /// <summary>The device's model description and configuration.</summary>
    internal static DeviceConfiguration Read(MdevHost host, MdevUuid uuid) => Read(host, uuid, Describe(host, uuid).Model);

    /// <summary>The capability document of a type.</summary>
    internal static MigrationInfo ParseInfo(MdevType type, string? device)
    {
        TypeMigrationInfo document = type.Migration ?? throw new VfioException(ErrorCode.MigrationInfoMissing,
            $"type {type.Name} of {type.Parent} has no migration_info.json and no manifest; its devices cannot be checked for migration")
        {
            Device = device,
            Value = type.Name.Value,
        };
        return document.Document;
    }
}
