using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.Manager.Devices;

/// <summary>
/// Opens a host's mediated device as an <see cref="IVfioDevice"/>: the one seam between the orchestrator and the
/// device, implemented for a real host (<see cref="KernelDeviceOpener"/>: the device's IOMMU group under
/// <c>/dev/vfio</c>) and for the emulated host (<see cref="EmulatedDeviceOpener"/>: the device's code run in this
/// process over state kept beside the tree).
/// </summary>
/// <remarks>
/// Opening marks the device opened, which freezes its configuration (a configuration is fixed
/// before the device is first opened). The caller owns the returned device; disposing it ends the operation: the
/// kernel fds close, or the emulated host persists the device's state for the next process.
/// </remarks>
public interface IDeviceOpener
{
    /// <summary>Opens one device for one operation.</summary>
    /// <param name="device">The device's UUID.</param>
    /// <returns>The device; dispose it to end the operation.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.DeviceNotFound"/> when the device does not exist;
    /// <see cref="Vfio.Errors.ErrorCode.LockTimeout"/> when another operation holds it; <see cref="Vfio.Errors.ErrorCode.KernelCallFailed"/>
    /// when the kernel refuses the open.</exception>
    IVfioDevice Open(MdevUuid device);

    /// <summary>Opens one device for one operation, running the configuration the caller already read from its
    /// <c>migration/</c> files (an opener that runs device code, the emulated one, then does not read it again).</summary>
    /// <param name="device">The device's UUID.</param>
    /// <param name="configuration">The device's configuration, as <see cref="MdevHost.ReadConfiguration"/> gave it.</param>
    /// <returns>The device; dispose it to end the operation.</returns>
    /// <exception cref="Vfio.Errors.VfioException">As <see cref="Open(MdevUuid)"/>.</exception>
    IVfioDevice Open(MdevUuid device, Vfio.DeviceModels.DeviceConfiguration configuration) => Open(device);
}
