using System.Runtime.InteropServices;
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// The few lines between a libc call and a typed exception, written once so errno is always read straight after
/// the call (<see cref="Marshal.GetLastPInvokeError"/>, which the generated stub saved) and never after other work.
/// </summary>
internal static class KernelCall
{
    /// <summary>Opens a VFIO node read-write and close-on-exec.</summary>
    internal static SafeVfioHandle Open(string path, string? device = null)
    {
        int fd = Interop.Libc.open(path, Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw new VfioErrnoException(Marshal.GetLastPInvokeError(), "open " + path, device);
        }
        return new SafeVfioHandle(fd);
    }

    // An ioctl whose failure is always an error; returns the ioctl's non-negative result. operation names the
    // call and its target for the message, e.g. "ioctl VFIO_DEVICE_RESET on /dev/vfio/12".
    internal static unsafe int Ioctl(SafeVfioHandle fd, nuint request, void* arg, string operation, string? device = null)
    {
        int rc = Interop.Libc.ioctl(fd, request, arg);
        if (rc < 0)
        {
            throw new VfioErrnoException(Marshal.GetLastPInvokeError(), operation, device);
        }
        return rc;
    }

    /// <summary>An ioctl whose errno the caller interprets (e.g. ENOTTY meaning "feature absent").</summary>
    /// <returns>The ioctl's result; on failure -1 with <paramref name="errno"/> set.</returns>
    internal static unsafe int TryIoctl(SafeVfioHandle fd, nuint request, void* arg, out int errno)
    {
        int rc = Interop.Libc.ioctl(fd, request, arg);
        errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }

    /// <summary>True for the errnos a driver returns for a VFIO_DEVICE_FEATURE it does not implement.</summary>
    internal static bool IsFeatureAbsent(int errno) =>
        errno is Interop.Errno.ENOTTY or Interop.Errno.EINVAL or Interop.Errno.EOPNOTSUPP;
}
