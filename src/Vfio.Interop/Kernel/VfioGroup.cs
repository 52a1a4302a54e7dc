using System.Text;
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// An IOMMU group node (<c>/dev/vfio/&lt;N&gt;</c>): the unit of isolation. Devices are opened through it once it is
/// viable and attached to a container.
/// </summary>
public sealed class VfioGroup : IDisposable
{
    private readonly SafeVfioHandle _fd;

    private VfioGroup(SafeVfioHandle fd, int number, string path)
    {
        _fd = fd;
        Number = number;
        Path = path;
    }

    /// <summary>The IOMMU group number.</summary>
    public int Number { get; }

    /// <summary>The group node this was opened from.</summary>
    public string Path { get; }

    /// <summary>Opens <c>&lt;DevRoot&gt;/vfio/&lt;group&gt;</c>.</summary>
    /// <param name="group">The IOMMU group number.</param>
    /// <param name="paths">Where the nodes are; <see langword="null"/> for <c>/dev</c>.</param>
    /// <returns>The open group; the caller disposes it.</returns>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when open fails
    /// (ENOENT: no such group or not bound to vfio; EBUSY: another process holds it).</exception>
    public static VfioGroup Open(int group, VfioPaths? paths = null)
    {
        string path = (paths ?? new VfioPaths()).GroupPath(group);
        return new VfioGroup(KernelCall.Open(path), group, path);
    }

    /// <summary><c>VFIO_GROUP_GET_STATUS</c>.</summary>
    /// <returns>The group's flags.</returns>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails
    /// (ENOTTY: the node is not a VFIO group).</exception>
    public unsafe VfioGroupFlags GetStatus()
    {
        var status = new Interop.Vfio.vfio_group_status { argsz = (uint)sizeof(Interop.Vfio.vfio_group_status) };
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_GROUP_GET_STATUS, &status, "ioctl VFIO_GROUP_GET_STATUS on " + Path);
        return (VfioGroupFlags)status.flags;
    }

    /// <summary>Fails unless every device of the group is bound to a VFIO driver.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.GroupNotViable"/> when the group is not viable.</exception>
    public void RequireViable()
    {
        VfioGroupFlags flags = GetStatus();
        if ((flags & VfioGroupFlags.Viable) == 0)
        {
            throw InteropErrors.GroupNotViable(Number, Path, flags);

        }
    }

    /// <summary><c>VFIO_GROUP_SET_CONTAINER</c>: attaches the group to a container.</summary>
    /// <param name="container">The container.</param>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public unsafe void SetContainer(VfioContainer container)
    {
        ArgumentNullException.ThrowIfNull(container);
        bool added = false;
        SafeVfioHandle containerFd = container.Handle;
        try
        {
            // The ioctl takes a pointer to the container's fd number; keep the fd alive while the kernel uses it.
            containerFd.DangerousAddRef(ref added);
            int fd = containerFd.Fd;
            KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_GROUP_SET_CONTAINER, &fd, $"ioctl VFIO_GROUP_SET_CONTAINER on {Path} (container {container.Path})");
        }
        finally
        {
            if (added)
            {
                containerFd.DangerousRelease();
            }
        }
    }

    /// <summary><c>VFIO_GROUP_UNSET_CONTAINER</c>: detaches the group (every device fd must be closed first).</summary>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails (EBUSY: devices open).</exception>
    public unsafe void UnsetContainer() =>
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_GROUP_UNSET_CONTAINER, null, "ioctl VFIO_GROUP_UNSET_CONTAINER on " + Path);

    /// <summary><c>VFIO_GROUP_GET_DEVICE_FD</c>: opens a device of the group by name.</summary>
    /// <param name="name">The device name: a PCI address (<c>0000:00:03.0</c>) or an mdev UUID.</param>
    /// <returns>The device; the caller disposes it.</returns>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails
    /// (EINVAL/ENODEV: no such device in the group; EPERM: group not attached to a container with an IOMMU set).</exception>
    public unsafe KernelVfioDevice OpenDevice(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(name) + 1]; // NUL-terminated
        Encoding.UTF8.GetBytes(name, utf8);
        int fd;
        fixed (byte* p = utf8)
        {
            fd = KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_GROUP_GET_DEVICE_FD, p, $"ioctl VFIO_GROUP_GET_DEVICE_FD({name}) on {Path}", name);
        }
        // The kernel handed us a new fd as the return value: own it before anything else can throw.
        return new KernelVfioDevice(new SafeVfioHandle(fd), name, Path);
    }

    /// <summary>Closes the group fd. The kernel detaches the group from its container when the last fd closes.</summary>
    public void Dispose() => _fd.Dispose();
}
