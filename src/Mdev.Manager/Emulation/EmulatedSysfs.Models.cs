using Mdev.Manager.Host;
using Mdev.Manager.IO;
using Mdev.Manager.Names;
using Mdev.Manager.Sysfs;
using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Mdev.Manager.Emulation;

// The emulated driver's knowledge of each type's model, read from the type's migration_info.json: it is what a
// migration-aware driver knows about its own devices, and reading it from the tree keeps every process that
// shares the host in agreement without any in-memory registry.
public sealed partial class EmulatedSysfs
{
    private TypeMigrationDefaults? ReadTypeMigration(ParentDeviceName parent, MdevTypeName type)
    {
        MigrationInfo? document = ReadDocument(Layout.TypeMigrationInfo(parent, type));
        if (document is null || document.Models.Count == 0)
        {
            return null;
        }
        ModelDescription model = document.Models[0];
        return new TypeMigrationDefaults(model.Id.ToString(), model.Parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.InitValue)).ToArray());
    }

    /// <summary>Refuses a value the device's model does not allow, as a driver's store() returns EINVAL.</summary>
    private void ValidateParameter(MdevUuid uuid, AttributeName parameter, string value)
    {
        SysfsPath typeDirectory = _files.Resolve(Layout.DeviceTypeLink(uuid))
            ?? throw new VfioException(ErrorCode.DeviceNotFound, $"mediated device {uuid} has no mdev_type link on the emulated host.") { Device = uuid.ToString() };
        MigrationInfo? document = ReadDocument(typeDirectory / "migration_info.json");
        string modelText = _files.ReadLine(Layout.DeviceModel(uuid));
        ModelDescription? model = document?.Find(DeviceModelId.Parse(modelText));
        if (model is null)
        {
            throw new VfioException(ErrorCode.ModelUnknown, $"the emulated host has no description of model {modelText} of device {uuid}.")
            {
                Device = uuid.ToString(),
                Value = modelText,
            };
        }
        model.GetParameter(parameter.Value).Normalize(value, model.Id, uuid.ToString());
    }

    private MigrationInfo? ReadDocument(SysfsPath file)
    {
        if (!_files.Exists(file))
        {
            return null;
        }
        DocumentFiles.CheckBeforeRead(file);
        try
        {
            return MigrationInfo.Parse(_files.ReadText(file));
        }
        catch (DeviceModelException e)
        {
            throw new VfioException(e.Code, $"{file.FullPath}: {e.Message}", e) { Value = e.Value, Parameter = e.Parameter, Expected = e.Expected };
        }
    }
}
