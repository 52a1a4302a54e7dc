using System.Globalization;

namespace Vfio.Errors;

/// <summary>
/// A system call on a VFIO file failed (<see cref="ErrorCode.KernelCallFailed"/>). Carries the errno, its C name
/// and the operation, e.g. <c>ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 3</c>, so a log line alone
/// says which call on which file failed and why.
/// </summary>
public sealed class VfioErrnoException : VfioException
{
    /// <summary>Creates the exception for an errno the caller read right after the failing call.</summary>
    /// <param name="errno">The errno value.</param>
    /// <param name="operation">The call and the file or device it was made on.</param>
    /// <param name="device">The device the call concerns, if any.</param>
    public VfioErrnoException(int errno, string operation, string? device = null)
        : base(ErrorCode.KernelCallFailed, FormatMessage(errno, operation, device))
    {
        Errno = errno;
        ErrnoName = Interop.Errno.Name(errno);
        Operation = operation;
        Device = device;
    }

    /// <summary>The errno value the kernel returned.</summary>
    public int Errno { get; }

    /// <summary>The C name of <see cref="Errno"/>, e.g. <c>ENOTTY</c>.</summary>
    public string ErrnoName { get; }

    /// <summary>The call and its target, e.g. <c>open /dev/vfio/12</c>.</summary>
    public string Operation { get; }

    private static string FormatMessage(int errno, string operation, string? device) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(device is null ? "" : device + ": ")}{operation} failed: {Interop.Errno.Name(errno)} ({errno}): {Interop.Errno.Message(errno)}");
}
