using System.Globalization;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

/// <summary>
/// Lays out an emulated host: parent devices under <c>sys/devices/vfio-emu</c> linked from
/// <c>sys/class/mdev_bus</c>, and for each type the attributes a real type has (<c>name</c>,
/// <c>description</c>, <c>device_api</c>, <c>available_instances</c>, <c>create</c>, <c>devices/</c>) plus its
/// <c>migration_info.json</c> capability document.
/// </summary>
/// <remarks>Laying out is done once, before processes share the host; devices are then made through
/// <see cref="EmulatedSysfs"/>'s <c>create</c>.</remarks>
public sealed partial class EmulatedHostBuilder
{
    private readonly EmulatedPaths _paths;

    /// <summary>Starts a host in a directory (created if missing).</summary>
    /// <param name="root">The emulated host directory; it plays the role of <c>/</c>.</param>
    /// <param name="manifestDirectory">The manifest directory the host's layout will use; defaults to <c>&lt;root&gt;/usr/share/vfio-migrate/manifests</c>.</param>
    public EmulatedHostBuilder(string root, string? manifestDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string fullRoot = Path.GetFullPath(root);
        Layout = new SysfsLayout(fullRoot, manifestDirectory ?? Path.Join(fullRoot, "usr/share/vfio-migrate/manifests"));
        _paths = new EmulatedPaths(Layout);
        Directory.CreateDirectory(Layout.MdevBus.FullPath);
        Directory.CreateDirectory(Layout.MdevDevices.FullPath);
        Directory.CreateDirectory(Layout.IommuGroups.FullPath);
        PrivateFiles.CreateDirectory(_paths.StateRoot.FullPath);
    }

    /// <summary>The host's paths.</summary>
    public SysfsLayout Layout { get; }

    /// <summary>Adds (or replaces) a type on a parent, creating the parent if needed.</summary>
    /// <param name="parent">The parent device, e.g. <c>0000:00:03.0</c>.</param>
    /// <param name="type">The type, e.g. <c>vendor-nic-1</c>.</param>
    /// <param name="name">The human-readable <c>name</c> attribute.</param>
    /// <param name="availableInstances">The initial <c>available_instances</c>.</param>
    /// <param name="migrationInfoJson">The type's capability document, or null for a type without migration support.</param>
    /// <param name="description">The <c>description</c> attribute, or null to leave it out (as drivers without <c>show_description</c> do).</param>
    /// <param name="deviceApi">The <c>device_api</c> attribute.</param>
    /// <returns>This builder.</returns>
    public EmulatedHostBuilder AddType(
        ParentDeviceName parent,
        MdevTypeName type,
        string name,
        int availableInstances,
        string? migrationInfoJson = null,
        string? description = null,
        string deviceApi = "vfio-pci")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(availableInstances);
        EnsureParent(parent);
        SysfsPath typeDirectory = _paths.ParentDirectory(parent) / "mdev_supported_types" / type.Value;
        Directory.CreateDirectory((typeDirectory / "devices").FullPath);
        Write(typeDirectory / "name", name + "\n");
        Write(typeDirectory / "device_api", deviceApi + "\n");
        Write(typeDirectory / "available_instances", availableInstances.ToString(CultureInfo.InvariantCulture) + "\n");
        // The capacity is what available_instances is derived from (EmulatedSysfs), so a process killed half-way through a
        // create or remove can never leave the count out of step with the devices that exist.
        PrivateFiles.CreateDirectory(_paths.TypeCapacity(parent, type).Parent.FullPath);
        PrivateFiles.Write(_paths.TypeCapacity(parent, type).FullPath, availableInstances.ToString(CultureInfo.InvariantCulture) + "\n");
        Write(typeDirectory / "create", string.Empty);
        if (description is not null)
        {
            Write(typeDirectory / "description", description + "\n");
        }
        if (migrationInfoJson is not null)
        {
            Write(typeDirectory / "migration_info.json", migrationInfoJson);
        }
        return this;
    }

    /// <summary>Opens the laid-out host.</summary>
    /// <param name="lockTimeout">How long a change waits for another's; defaults to 10 seconds.</param>
    /// <returns>The emulated sysfs over this host.</returns>
    public EmulatedSysfs Build(TimeSpan? lockTimeout = null) => new(Layout, lockTimeout ?? TimeSpan.FromSeconds(10));

    private void EnsureParent(ParentDeviceName parent)
    {
        Directory.CreateDirectory(_paths.ParentDirectory(parent).FullPath);
        string link = Layout.Parent(parent).FullPath;
        if (!File.Exists(link) && !Directory.Exists(link))
        {
            File.CreateSymbolicLink(link, $"../../devices/vfio-emu/{parent}");
        }
    }

    private static void Write(SysfsPath file, string content) => File.WriteAllText(file.FullPath, content);
}
