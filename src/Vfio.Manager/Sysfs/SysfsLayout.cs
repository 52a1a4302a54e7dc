using Vfio.Manager.Host;
using Vfio.Manager.Names;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// Every path the manager reads or writes, built in one place from a sysfs root and a manifest directory
/// Nothing else in the manager joins path strings.
/// </summary>
/// <remarks>
/// The layout is the kernel's (Documentation/driver-api/vfio-mediated-device.rst) plus this project's
/// proposal for migration: <c>migration_info.json</c> in a type directory where the platform allows it, a
/// manifest <c>&lt;manifest-dir&gt;/&lt;driver&gt;/&lt;type&gt;.json</c> everywhere else, and per-device
/// <c>migration/model</c> and <c>migration/&lt;param&gt;</c> files.
/// </remarks>
public sealed class SysfsLayout
{
    /// <summary>Creates a layout.</summary>
    /// <param name="sysfsRoot">The directory that holds <c>sys/</c>: <c>/</c> on a real host, the emulated host's directory otherwise.</param>
    /// <param name="manifestDirectory">The directory of vendor manifests, e.g. <c>/usr/share/vfio-migrate/manifests</c>.</param>
    public SysfsLayout(string sysfsRoot, string manifestDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        ArgumentException.ThrowIfNullOrEmpty(manifestDirectory);
        Root = new SysfsPath(Path.GetFullPath(sysfsRoot), string.Empty);
        ManifestRoot = new SysfsPath(Path.GetFullPath(manifestDirectory), string.Empty);
    }

    /// <summary>The sysfs root (the directory that holds <c>sys/</c>).</summary>
    public SysfsPath Root { get; }

    /// <summary>The manifest directory.</summary>
    public SysfsPath ManifestRoot { get; }

    /// <summary><c>sys/class/mdev_bus</c>: one entry per parent device that registered with the mdev core.</summary>
    public SysfsPath MdevBus => Root / "sys" / "class" / "mdev_bus";

    /// <summary><c>sys/bus/mdev/devices</c>: one entry (a link) per mediated device.</summary>
    public SysfsPath MdevDevices => Root / "sys" / "bus" / "mdev" / "devices";

    /// <summary><c>sys/kernel/iommu_groups</c>: one directory per IOMMU group.</summary>
    public SysfsPath IommuGroups => Root / "sys" / "kernel" / "iommu_groups";

    /// <summary>A parent device's directory.</summary>
    /// <param name="parent">The parent.</param>
    /// <returns><c>sys/class/mdev_bus/&lt;parent&gt;</c>.</returns>
    public SysfsPath Parent(ParentDeviceName parent) => MdevBus / parent.Value;

    /// <summary>The link to the driver bound to a parent device (absent for virtual parents such as mtty).</summary>
    /// <param name="parent">The parent.</param>
    /// <returns><c>sys/class/mdev_bus/&lt;parent&gt;/driver</c>.</returns>
    public SysfsPath ParentDriverLink(ParentDeviceName parent) => Parent(parent) / "driver";

    /// <summary>The directory listing a parent's types.</summary>
    /// <param name="parent">The parent.</param>
    /// <returns><c>sys/class/mdev_bus/&lt;parent&gt;/mdev_supported_types</c>.</returns>
    public SysfsPath SupportedTypes(ParentDeviceName parent) => Parent(parent) / "mdev_supported_types";

    /// <summary>A type's directory.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns><c>…/mdev_supported_types/&lt;type&gt;</c>.</returns>
    public SysfsPath Type(ParentDeviceName parent, MdevTypeName type) => SupportedTypes(parent) / type.Value;

    /// <summary>A type's human-readable <c>name</c> attribute.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath TypeName(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "name";

    /// <summary>A type's optional <c>description</c> attribute (only drivers with <c>show_description</c> have it).</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath TypeDescription(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "description";

    /// <summary>A type's <c>device_api</c> attribute (<c>vfio-pci</c>, <c>vfio-ccw</c>, <c>vfio-ap</c>).</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath TypeDeviceApi(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "device_api";

    /// <summary>A type's <c>available_instances</c> attribute.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath TypeAvailableInstances(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "available_instances";

    /// <summary>A type's write-only <c>create</c> attribute: writing a UUID creates a device.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath TypeCreate(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "create";

    /// <summary>A type's <c>devices/</c> directory: one link per device of this type.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The directory path.</returns>
    public SysfsPath TypeDevices(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "devices";

    /// <summary>A type's <c>migration_info.json</c> capability document, where the platform allows the file.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The file path.</returns>
    public SysfsPath TypeMigrationInfo(ParentDeviceName parent, MdevTypeName type) => Type(parent, type) / "migration_info.json";

    /// <summary>The manifest a driver ships for one of its types.</summary>
    /// <param name="driver">The driver name (the parent's <c>driver</c> link name, or the type's prefix).</param>
    /// <param name="type">The type.</param>
    /// <returns><c>&lt;manifest-dir&gt;/&lt;driver&gt;/&lt;type&gt;.json</c>.</returns>
    public SysfsPath Manifest(string driver, MdevTypeName type) => ManifestRoot / driver / (type.Value + ".json");

    /// <summary>A device's entry (a link to its directory under the parent).</summary>
    /// <param name="uuid">The device.</param>
    /// <returns><c>sys/bus/mdev/devices/&lt;uuid&gt;</c>.</returns>
    public SysfsPath Device(MdevUuid uuid) => MdevDevices / uuid.ToString();

    /// <summary>A device's write-only <c>remove</c> attribute: writing <c>1</c> removes the device.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The attribute path.</returns>
    public SysfsPath DeviceRemove(MdevUuid uuid) => Device(uuid) / "remove";

    /// <summary>A device's <c>mdev_type</c> link to its type directory.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The link path.</returns>
    public SysfsPath DeviceTypeLink(MdevUuid uuid) => Device(uuid) / "mdev_type";

    /// <summary>A device's <c>iommu_group</c> link into <c>sys/kernel/iommu_groups</c>.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The link path.</returns>
    public SysfsPath DeviceIommuGroupLink(MdevUuid uuid) => Device(uuid) / "iommu_group";

    /// <summary>A device's <c>migration/</c> directory.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The directory path.</returns>
    public SysfsPath DeviceMigration(MdevUuid uuid) => Device(uuid) / "migration";

    /// <summary>A device's read-only <c>migration/model</c> file.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The file path.</returns>
    public SysfsPath DeviceModel(MdevUuid uuid) => DeviceMigration(uuid) / "model";

    /// <summary>One migration parameter file of a device.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="parameter">The parameter.</param>
    /// <returns><c>…/migration/&lt;parameter&gt;</c>.</returns>
    public SysfsPath DeviceParameter(MdevUuid uuid, AttributeName parameter) => DeviceMigration(uuid) / parameter.Value;
}
