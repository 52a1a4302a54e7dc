using System.Runtime.InteropServices;

namespace Vfio;

/// <summary>
/// Owns one file descriptor of the VFIO world: the container, a group, a device, or a v2 migration
/// <c>data_fd</c>. Closing it is the only way the fd is closed, exactly once, also on error paths.
/// </summary>
/// <remarks>
/// Unlike <see cref="Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid"/>, only -1 is invalid:
/// 0 is a legal fd (a process started with stdin closed may get it for /dev/vfio/vfio).
/// </remarks>
internal sealed class SafeVfioHandle : SafeHandle
{
    /// <summary>Takes ownership of an fd the kernel returned as a number (open, GROUP_GET_DEVICE_FD, data_fd).</summary>
    internal SafeVfioHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == -1;

    /// <summary>The fd number, for messages and for ioctls that take an fd as their argument.</summary>
    internal int Fd => (int)handle;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // close(2): even when it fails (EINTR, EIO), the fd is released on Linux; retrying could close a
        // descriptor another thread has been handed meanwhile.
        return Interop.Libc.close((int)handle) == 0;
    }
}
