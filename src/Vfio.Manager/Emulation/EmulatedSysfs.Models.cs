using Vfio.Manager.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Emulation;

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
            ?? throw ManagerErrors.DeviceNotFound(uuid, "has no mdev_type link on the emulated host.");
        MigrationInfo? document = ReadDocument(typeDirectory / "migration_info.json");
        string modelText = _files.ReadLine(Layout.DeviceModel(uuid));
        ModelDescription? model = document?.Find(DeviceModelId.Parse(modelText));
        if (model is null)
        {
            throw ManagerErrors.EmulatedModelNotDescribed(uuid, modelText);

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
            throw ManagerErrors.InFile(file.FullPath, e);

        }
    }
}
