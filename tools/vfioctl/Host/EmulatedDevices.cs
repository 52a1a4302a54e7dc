using Mdev.Manager;
using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Sdk;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Samples.Nic;

namespace Vfioctl.Host;

/// <summary>
/// The sample device code an emulated host runs in this process, with a handle on each device's code while it is
/// open: the VFIO surface hides the device behind regions and features, but the demo and <c>traffic</c> need to
/// drive the NIC and read its state field by field.
/// </summary>
internal sealed class EmulatedDevices
{
    private readonly Dictionary<string, IMigrationBackend> _open = new(StringComparer.Ordinal);

    public EmulatedDevices(DeviceImplementationCatalog samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Catalog = new DeviceImplementationCatalog();
        foreach (DeviceImplementation implementation in samples.All)
        {
            Catalog.Add(new DeviceImplementation(implementation.Id, implementation.Model, (name, configuration) =>
            {
                // The host hands over the configuration under the description it read from sysfs; the device code
                // is written against its own description object, so the same values are re-expressed in it.
                DeviceConfiguration own = ReferenceEquals(configuration.Model, implementation.Model)
                    ? configuration
                    : DeviceConfiguration.FromValues(implementation.Model, configuration.Values, device: name);
                IMigrationBackend backend = implementation.Create(name, own);
                _open[name] = backend;
                return backend;
            }, implementation.Emulation));
        }
    }

    /// <summary>The catalog the emulated device opener runs; each device it creates is remembered by name.</summary>
    public DeviceImplementationCatalog Catalog { get; }

    /// <summary>Opens the device, hands its NIC code to <paramref name="use"/>, and closes it (which persists its state).</summary>
    /// <exception cref="VfioException">E2010 when the device runs code other than the sample NIC.</exception>
    public T UseNic<T>(IDeviceOpener opener, MdevUuid uuid, Func<NicDevice, T> use)
    {
        using IVfioDevice device = opener.Open(uuid);
        if (!_open.TryGetValue(uuid.ToString(), out IMigrationBackend? backend) || backend is not NicDevice nic)
        {
            throw new VfioException(ErrorCode.ModelUnknown,
                $"device {uuid} does not run the sample NIC in this process; traffic and state fields exist only for emulated sample NICs.")
            { Device = uuid.ToString() };
        }
        return use(nic);
    }
}
