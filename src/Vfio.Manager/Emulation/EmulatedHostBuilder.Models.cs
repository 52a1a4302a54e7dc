using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Emulation;

// Types described by a device model: the model description becomes the type's migration_info.json.
public sealed partial class EmulatedHostBuilder
{
    /// <summary>Adds a type whose devices run <paramref name="model"/>; its capability document is written from the description.</summary>
    /// <param name="parent">The parent device.</param>
    /// <param name="type">The type.</param>
    /// <param name="name">The human-readable <c>name</c> attribute.</param>
    /// <param name="availableInstances">The initial <c>available_instances</c>.</param>
    /// <param name="model">The model new devices of the type run.</param>
    /// <param name="description">The <c>description</c> attribute, or null to leave it out.</param>
    /// <returns>This builder.</returns>
    public EmulatedHostBuilder AddType(ParentDeviceName parent, MdevTypeName type, string name, int availableInstances, ModelDescription model, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return AddType(parent, type, name, availableInstances, new MigrationInfo([model]).ToJson(), description);
    }
}
