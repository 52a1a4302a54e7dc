using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Manager.Devices;

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
    private readonly string _procRoot;

    /// <summary>Creates the opener.</summary>
    /// <param name="host">The host whose sysfs tree names each device's IOMMU group.</param>
    /// <param name="devRoot">The <c>/dev</c> directory holding <c>vfio/</c>.</param>
    /// <param name="procRoot">Where procfs is mounted (to name the process that holds a busy device).</param>
    public KernelDeviceOpener(MdevHost host, string devRoot = "/dev", string procRoot = "/proc")
    {
        ArgumentException.ThrowIfNullOrEmpty(procRoot);
        _procRoot = procRoot;
        ArgumentNullException.ThrowIfNull(host);
        ArgumentException.ThrowIfNullOrEmpty(devRoot);
        _host = host;
        _paths = new VfioPaths { DevRoot = devRoot };
    }

    /// <inheritdoc/>
    public IVfioDevice Open(MdevUuid device)
    {
        MdevDevice found = _host.GetDevice(device);
        int group = found.IommuGroup ?? throw ManagerErrors.NoIommuGroup(device);
        try
        {
            return KernelDeviceHandle.Open(group, device.ToString(), _paths);
        }
        catch (VfioErrnoException e) when (e.ErrnoName == "EBUSY")
        {
            string node = _paths.GroupPath(group);
            throw Held(device, node, VfioNodeHolders.Find(node, _procRoot), e);
        }
    }

    /// <summary>The error for a device whose group another process holds open: the kernel allows one holder.</summary>
    /// <param name="device">The device.</param>
    /// <param name="node">Its group node.</param>
    /// <param name="holders">The processes <c>/proc</c> shows holding it (may be empty).</param>
    /// <param name="busy">The failed open.</param>
    /// <returns>A <see cref="ErrorCode.DeviceHeld"/> error naming the holders and the VMM workflow.</returns>
    internal static VfioException Held(MdevUuid device, string node, IReadOnlyList<VfioNodeHolder> holders, Exception? busy = null) =>
        ManagerErrors.DeviceHeld(device, node, holders, busy);

}
