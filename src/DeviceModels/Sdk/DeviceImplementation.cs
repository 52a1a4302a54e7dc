using Vfio.Emulation;

namespace Vfio.DeviceModels.Sdk;

/// <summary>
/// One build of a vendor's device code that a host can run: the model description it supports, how it presents
/// itself to VFIO (protocol and flags), and a factory for device instances.
/// </summary>
/// <remarks>
/// Two builds of the same model (an old driver knowing versions 1-2 and a new one knowing 1-3) are two
/// implementations with one <see cref="DeviceModelId"/> and different <see cref="Id"/>s. The emulated host records
/// the implementation id of each type, so every process that acts on a device runs the same device code.
/// </remarks>
public sealed class DeviceImplementation
{
    private readonly Func<string, DeviceConfiguration, IMigrationBackend> _create;

    /// <summary>Describes an implementation.</summary>
    /// <param name="id">A stable id of this build, e.g. <c>vendor-a.com/my-nic@3</c>; no whitespace.</param>
    /// <param name="model">The model description the build supports.</param>
    /// <param name="create">Creates a device instance from its name and its (immutable) configuration.</param>
    /// <param name="emulation">How the device presents itself when emulated; null for the v2 protocol with the device's own flags.</param>
    public DeviceImplementation(string id, ModelDescription model, Func<string, DeviceConfiguration, IMigrationBackend> create, EmulatedDeviceOptions? emulation = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(create);
        if (id.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"implementation id '{id}' contains whitespace", nameof(id));
        }
        Id = id;
        Model = model;
        _create = create;
        Emulation = emulation ?? new EmulatedDeviceOptions();
    }

    /// <summary>The implementation id, e.g. <c>vendor-a.com/my-nic@3</c>.</summary>
    public string Id { get; }

    /// <summary>The model description this build supports.</summary>
    public ModelDescription Model { get; }

    /// <summary>How the device presents itself when emulated.</summary>
    public EmulatedDeviceOptions Emulation { get; }

    /// <summary>Creates a device instance running <paramref name="configuration"/>.</summary>
    /// <param name="deviceName">The device's name (its UUID on a host).</param>
    /// <param name="configuration">The configuration; it must be of this implementation's model description.</param>
    /// <returns>The new device, in RUNNING.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelMismatch"/> when the configuration is of another model.</exception>
    public IMigrationBackend Create(string deviceName, DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.ModelId != Model.Id)
        {
            throw new DeviceModelException(ErrorCode.ModelMismatch,
                $"device {deviceName}: configuration is of model {configuration.ModelId}, implementation {Id} runs {Model.Id}")
            {
                Device = deviceName,
                Value = configuration.ModelId.ToString(),
                Expected = Model.Id.ToString(),
            };
        }
        return _create(deviceName, configuration);
    }
}
