using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Host;

// Where a type's capability document comes from (docs/sysfs-convention.md).
public sealed partial class MdevHost
{
    /// <summary>
    /// The type's own <c>migration_info.json</c> when present; else the manifest
    /// <c>&lt;manifest-dir&gt;/&lt;driver&gt;/&lt;type&gt;.json</c>; else null.
    /// </summary>
    /// <remarks>
    /// The driver is the parent's <c>driver</c> link name. A virtual parent such as mtty's has no driver link;
    /// the kernel then names its types <c>&lt;dev_driver_string&gt;-&lt;name&gt;</c>, so the type name's prefix is
    /// the manifest folder (<c>mtty</c> for <c>mtty-2</c>).
    /// </remarks>
    private TypeMigrationInfo? FindMigrationInfo(ParentDeviceName parent, string? driver, MdevTypeName type)
    {
        SysfsPath attribute = Layout.TypeMigrationInfo(parent, type);
        if (Sysfs.Exists(attribute))
        {
            return Read(MigrationInfoSource.TypeAttribute, attribute);
        }
        string? folder = driver ?? type.DriverPrefix;
        if (folder is null)
        {
            return null;
        }
        SysfsPath manifest = Layout.Manifest(folder, type);
        return Sysfs.Exists(manifest) ? Read(MigrationInfoSource.Manifest, manifest) : null;
    }

    private TypeMigrationInfo Read(MigrationInfoSource source, SysfsPath file)
    {
        MigrationInfo document;
        DocumentFiles.CheckBeforeRead(file);
        try
        {
            document = MigrationInfo.Parse(Sysfs.ReadText(file));
        }
        catch (DeviceModelException e)
        {
            // The parser names the field inside the document; the file is named here.
            throw ManagerErrors.InFile(file.FullPath, e);
        }
        if (document.Models.Count == 0)
        {
            throw ManagerErrors.DocumentInvalid(file.FullPath, "the migration info document lists no model; expected at least one under \"models\".");

        }
        return new TypeMigrationInfo(source, file, document);
    }
}
