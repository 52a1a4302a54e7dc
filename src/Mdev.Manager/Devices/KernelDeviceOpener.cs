using Vfio;
using Vfio.Devices;
using Vfio.Kernel;

namespace Mdev.Manager;

/// <summary>
/// Opens a mediated device through the kernel: its <c>iommu_group</c> link names the group, the group is attached
/// to a new type1v2 container, and <c>VFIO_GROUP_GET_DEVICE_FD</c> with the UUID gives the device fd.
/// </summary>
/// <remarks>Needs <c>/dev/vfio</c> and the vfio and mdev modules, so CI never runs it; the work is done by
/// <see cref="VfioContainer"/>, <see cref="VfioGroup"/> and <see cref="KernelVfioDevice"/>.</remarks>
public sealed class KernelDeviceOpener : IDeviceOpener
{
    private readonly MdevHost _host;
    private readonly VfioPaths _paths;

    /// <summary>Creates the opener.</summary>
    /// <param name="host">The host whose sysfs tree names each device's IOMMU group.</param>
    /// <param name="devRoot">The <c>/dev</c> directory holding <c>vfio/</c>.</param>
    public KernelDeviceOpener(MdevHost host, string devRoot = "/dev")
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentException.ThrowIfNullOrEmpty(devRoot);
        _host = host;
        _paths = new VfioPaths { DevRoot = devRoot };
    }

    /// <inheritdoc/>
    public IVfioDevice Open(MdevUuid device)
    {
        MdevDevice found = _host.GetDevice(device);
        int group = found.IommuGroup ?? throw new VfioException(ErrorCode.DeviceNotFound,
            $"mediated device {device} has no iommu_group link; is the vfio_mdev driver bound to it?")
        {
            Device = device.ToString(),
            Expected = "an iommu_group link",
        };
        return KernelDeviceHandle.Open(group, device.ToString(), _paths);
    }
}
