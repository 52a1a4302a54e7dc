using Mdev.Manager;
using Vfio;
using Vfio.Devices;
using Vfio.Samples.Nic;
using Vfio.Sdk;

namespace Vfioctl.Host;

/// <summary>
/// The sample device code an emulated host runs in this process. The VFIO surface hides a device behind regions and
/// features, but the demo, <c>traffic</c> and <c>describe --state</c> need to drive the NIC and read its state field by
/// field, so they reach its code through the device the emulated opener returns.
/// </summary>
internal sealed class EmulatedDevices(DeviceImplementationCatalog catalog)
{
    /// <summary>The catalog the emulated device opener runs.</summary>
    public DeviceImplementationCatalog Catalog { get; } = catalog ?? throw new ArgumentNullException(nameof(catalog));

    /// <summary>Opens the device, hands its NIC code to <paramref name="use"/>, and closes it (which persists its state).</summary>
    /// <exception cref="VfioException">E2010 when the device runs code other than the sample NIC.</exception>
    public static T UseNic<T>(IDeviceOpener opener, MdevUuid uuid, Func<NicDevice, T> use)
    {
        using IVfioDevice device = opener.Open(uuid);
        if (EmulatedDeviceOpener.DeviceCode(device) is not NicDevice nic)
        {
            throw new VfioException(ErrorCode.ModelUnknown,
                $"device {uuid} does not run the sample NIC in this process; traffic and state fields exist only for emulated sample NICs.")
            { Device = uuid.ToString() };
        }
        return use(nic);
    }
}
