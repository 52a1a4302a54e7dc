using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Sdk;

/// <summary>
/// One build of a vendor's device code that a host can run: the model description it supports, the kernel migration
/// protocol it speaks (and, for the v2 protocol, the flags it reports), and a factory for device instances.
/// </summary>
/// <remarks>
/// Two builds of the same model (an old driver knowing versions 1-2 and a new one knowing 1-3) are two
/// implementations with one <see cref="DeviceModelId"/> and different <see cref="Id"/>s. The emulated host records
/// the implementation id of each type, so every process that acts on a device runs the same device code.
/// </remarks>
public sealed class DeviceImplementation
{
    private readonly Func<string, DeviceConfiguration, MigratableDevice> _create;

    /// <summary>Describes an implementation.</summary>
    /// <param name="id">A stable id of this build, e.g. <c>vendor-a.com/my-nic@3</c>; no whitespace.</param>
    /// <param name="model">The model description the build supports.</param>
    /// <param name="create">Creates a device instance from its name and its (immutable) configuration.</param>
    /// <param name="protocol">The kernel migration protocol the build speaks: the v2 <c>VFIO_DEVICE_FEATURE</c> state
    /// machine (Linux 5.18+, the default) or the v1 migration region (Linux 5.8-5.17).</param>
    /// <param name="features">For the v2 protocol, the flags the build reports (they must include STOP_COPY and be a
    /// subset of what its devices offer); null for the devices' own. The v1 protocol reports no v2 flags, so it must be null there.</param>
    /// <exception cref="ArgumentException">The id is empty or contains whitespace, the protocol is not defined, or
    /// <paramref name="features"/> lacks STOP_COPY or is given for the v1 protocol.</exception>
    public DeviceImplementation(string id, ModelDescription model, Func<string, DeviceConfiguration, MigratableDevice> create,
        MigrationProtocolKind protocol = MigrationProtocolKind.V2Feature, MigrationFeatures? features = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(create);
        if (id.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"implementation id '{id}' contains whitespace", nameof(id));
        }
        if (!Enum.IsDefined(protocol))
        {
            throw new ArgumentException($"implementation '{id}': protocol {protocol} is not V2Feature or V1Region", nameof(protocol));
        }
        if (features is { } flags && (protocol != MigrationProtocolKind.V2Feature || !flags.HasFlag(MigrationFeatures.StopCopy)))
        {
            throw new ArgumentException(
                $"implementation '{id}': features {flags} must include StopCopy and apply to the v2 protocol only (protocol {protocol})", nameof(features));
        }
        Id = id;
        Model = model;
        _create = create;
        Protocol = protocol;
        Features = features;
    }

    /// <summary>The implementation id, e.g. <c>vendor-a.com/my-nic@3</c>.</summary>
    public string Id { get; }

    /// <summary>The model description this build supports.</summary>
    public ModelDescription Model { get; }

    /// <summary>The kernel migration protocol this build speaks.</summary>
    public MigrationProtocolKind Protocol { get; }

    /// <summary>For the v2 protocol, the flags this build reports; null for the devices' own (always null for v1).</summary>
    public MigrationFeatures? Features { get; }

    /// <summary>Creates a device instance running <paramref name="configuration"/>.</summary>
    /// <param name="deviceName">The device's name (its UUID on a host).</param>
    /// <param name="configuration">The configuration; it must be of this implementation's model description.</param>
    /// <returns>The new device, in RUNNING.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelMismatch"/> when the configuration is of another model.</exception>
    public MigratableDevice Create(string deviceName, DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.ModelId != Model.Id)
        {
            throw SdkErrors.ConfigurationOfAnotherModel(deviceName, configuration.ModelId, Id, Model.Id);
        }
        return _create(deviceName, configuration);
    }
}
