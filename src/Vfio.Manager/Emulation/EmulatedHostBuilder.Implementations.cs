using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Documents;
using Vfio.Sdk;

namespace Vfio.Manager.Emulation;

// Types run by a device implementation: the type gets the implementation's capability document and names the
// implementation in emulation_impl, so every process that opens one of its devices runs the same device code.
public sealed partial class EmulatedHostBuilder
{
    /// <summary>
    /// Adds a type whose devices run <paramref name="implementation"/>: its <c>migration_info.json</c> is the
    /// implementation's model description and its <c>emulation_impl</c> names the implementation id, which
    /// <see cref="EmulatedDeviceOpener"/> looks up in its catalog.
    /// </summary>
    /// <param name="parent">The parent device.</param>
    /// <param name="type">The type.</param>
    /// <param name="name">The human-readable <c>name</c> attribute.</param>
    /// <param name="availableInstances">The initial <c>available_instances</c>.</param>
    /// <param name="implementation">The device code the type's devices run.</param>
    /// <param name="description">The <c>description</c> attribute, or null to leave it out.</param>
    /// <returns>This builder.</returns>
    public EmulatedHostBuilder AddType(ParentDeviceName parent, MdevTypeName type, string name, int availableInstances,
        DeviceImplementation implementation, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        AddType(parent, type, name, availableInstances, new MigrationInfo([implementation.Model]).ToJson(), description);
        File.WriteAllText(EmulatedDeviceFiles.Implementation(_paths.ParentDirectory(parent) / "mdev_supported_types" / type.Value).FullPath,
            implementation.Id + "\n");
        return this;
    }
}
