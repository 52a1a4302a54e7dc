using Vfio.DeviceModels;
using Vfio.Emulation;

namespace Mdev.Manager;

/// <summary>
/// The device behaviour behind an emulated host's types, supplied by the vendor SDK or the samples: which types
/// exist, which model each runs, and the code that runs a device of a type in a given configuration.
/// </summary>
/// <remarks>The emulated sysfs itself needs only the model (written to each type's <c>migration_info.json</c> by
/// <see cref="EmulatedHostBuilder.AddTypes"/>); the backend factory is for the emulated VFIO device.</remarks>
public interface IEmulatedDeviceCatalog
{
    /// <summary>The types the catalog offers.</summary>
    IReadOnlyList<MdevTypeName> Types { get; }

    /// <summary>The type's human-readable name (its <c>name</c> attribute).</summary>
    /// <param name="type">One of <see cref="Types"/>.</param>
    /// <returns>The name.</returns>
    string DisplayName(MdevTypeName type);

    /// <summary>The model devices of the type run.</summary>
    /// <param name="type">One of <see cref="Types"/>.</param>
    /// <returns>The model description.</returns>
    ModelDescription Describe(MdevTypeName type);

    /// <summary>Creates the device code for one device.</summary>
    /// <param name="type">The device's type.</param>
    /// <param name="configuration">The configuration the device was created with; fixed for its lifetime.</param>
    /// <returns>The backend the emulated device drives.</returns>
    IMigrationBackend CreateBackend(MdevTypeName type, DeviceConfiguration configuration);
}
