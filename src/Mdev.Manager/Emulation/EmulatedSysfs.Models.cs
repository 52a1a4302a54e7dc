namespace Mdev.Manager;

// The emulated driver's knowledge of each type's model, read from the type's migration_info.json.
public sealed partial class EmulatedSysfs
{
    private TypeMigrationDefaults? ReadTypeMigration(ParentDeviceName parent, MdevTypeName type)
    {
        // Filled in once the capability-document parser of DeviceModels is available.
        _ = _files.Exists(Layout.TypeMigrationInfo(parent, type));
        return null;
    }

    private static void ValidateParameter(MdevUuid uuid, AttributeName parameter, string value)
    {
        _ = (uuid, parameter, value);
    }
}
