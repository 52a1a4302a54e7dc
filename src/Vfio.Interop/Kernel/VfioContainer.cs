
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// A VFIO container (<c>/dev/vfio/vfio</c>): the IOMMU context groups are attached to. The legacy group/container
/// path works on every kernel with VFIO, which is why this library uses it rather than the iommufd cdev path.
/// </summary>
/// <remarks>
/// Order of use, as in the kernel's Documentation/driver-api/vfio.rst: open the container, check the API version,
/// attach at least one group (<see cref="VfioGroup.SetContainer"/>), then <see cref="SetIommu"/>; the kernel
/// refuses SET_IOMMU on a container without a group.
/// </remarks>
public sealed class VfioContainer : IDisposable
{
    private readonly SafeVfioHandle _fd;

    private VfioContainer(SafeVfioHandle fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The container node this was opened from.</summary>
    public string Path { get; }

    internal SafeVfioHandle Handle => _fd;

    /// <summary>Opens the container and checks that the kernel speaks <c>VFIO_API_VERSION</c> (0).</summary>
    /// <param name="paths">Where the nodes are; <see langword="null"/> for <c>/dev</c>.</param>
    /// <returns>The open container; the caller disposes it.</returns>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when open or the ioctl fails
    /// (ENOENT: vfio module not loaded; ENOTTY: the path is not a VFIO container).</exception>
    /// <exception cref="VfioException"><see cref="ErrorCode.ApiVersionUnsupported"/> for another API version.</exception>
    public static unsafe VfioContainer Open(VfioPaths? paths = null)
    {
        string path = (paths ?? new VfioPaths()).ContainerPath;
        SafeVfioHandle fd = KernelCall.Open(path);
        try
        {
            int version = KernelCall.Ioctl(fd, Interop.Vfio.VFIO_GET_API_VERSION, null, "ioctl VFIO_GET_API_VERSION on " + path);
            if (version != Interop.Vfio.VFIO_API_VERSION)
            {
                throw InteropErrors.ApiVersionUnsupported(path, version);
            }
            return new VfioContainer(fd, path);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary><c>VFIO_CHECK_EXTENSION</c>: whether the container supports an extension or IOMMU type.</summary>
    /// <param name="extension">The extension.</param>
    /// <returns>True when the kernel reports support (a positive answer).</returns>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public unsafe bool CheckExtension(VfioExtension extension)
    {
        // The argument is the extension number itself, passed in the pointer-sized variadic slot.
        int rc = KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_CHECK_EXTENSION, (void*)(nuint)(uint)extension,
            $"ioctl VFIO_CHECK_EXTENSION({extension}) on {Path}");
        return rc > 0;
    }

    /// <summary><c>VFIO_SET_IOMMU</c>: selects the IOMMU backend, after checking the container supports it.</summary>
    /// <param name="type">The IOMMU type, normally <see cref="VfioExtension.Type1v2Iommu"/>.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.ExtensionUnsupported"/> when the container lacks the type.</exception>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails
    /// (EINVAL: no group attached yet).</exception>
    public unsafe void SetIommu(VfioExtension type)
    {
        if (!CheckExtension(type))
        {
            throw InteropErrors.IommuTypeUnsupported(Path, type);

        }
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_SET_IOMMU, (void*)(nuint)(uint)type, $"ioctl VFIO_SET_IOMMU({type}) on {Path}");
    }

    /// <summary>Closes the container fd.</summary>
    public void Dispose() => _fd.Dispose();
}
