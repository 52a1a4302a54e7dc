using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// The kernel's v2 migration <c>data_fd</c> as a <see cref="MigrationDataStream"/>: <c>read</c> in PRE_COPY and
/// STOP_COPY, <c>write</c> in RESUMING, <c>VFIO_MIG_GET_PRECOPY_INFO</c> in the pre-copy states. Disposing closes
/// the fd (vfio.h: "The user is responsible to close this FD when it is finished").
/// </summary>
internal sealed class KernelMigrationDataStream : MigrationDataStream
{
    private readonly SafeVfioHandle _fd;
    private readonly bool _writable;
    private readonly string _description;
    private readonly string _device;

    /// <param name="fd">The data_fd; this stream owns it from now on.</param>
    /// <param name="writable">True for a RESUMING session, false for a saving one.</param>
    /// <param name="description">How messages name the fd, e.g. <c>data_fd 17 of &lt;uuid&gt; (StopCopy)</c>.</param>
    /// <param name="device">The device name.</param>
    internal KernelMigrationDataStream(SafeVfioHandle fd, bool writable, string description, string device)
    {
        _fd = fd;
        _writable = writable;
        _description = description;
        _device = device;
    }

    internal bool IsClosed => _fd.IsClosed;

    public override bool CanRead => !_writable && !_fd.IsClosed;

    public override bool CanWrite => _writable && !_fd.IsClosed;

    public override unsafe int TryRead(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (_writable)
        {
            throw new NotSupportedException($"{_description} is a RESUMING session: it is written, not read");
        }
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Interop.Libc.read(_fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                int errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Interop.Errno.EINTR:
                        continue;
                    case Interop.Errno.ENOMSG:
                        // PRE_COPY: no data now, more may come (vfio.h, VFIO_MIG_GET_PRECOPY_INFO).
                        return -1;
                    default:
                        throw new VfioErrnoException(errno, "read " + _description, _device);
                }
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (!_writable)
        {
            throw new NotSupportedException($"{_description} is a saving session: it is read, not written");
        }
        fixed (byte* start = buffer)
        {
            // write(2) on the data_fd may accept less than asked; loop until every byte is in.
            int done = 0;
            while (done < buffer.Length)
            {
                nint n = Interop.Libc.write(_fd, start + done, (nuint)(buffer.Length - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.Errno.EINTR)
                    {
                        continue;
                    }
                    throw new VfioErrnoException(errno, $"write {_description} ({buffer.Length - done} bytes left of {buffer.Length})", _device);
                }
                done += (int)n;
            }
        }
    }

    public override unsafe PrecopyInfo GetPrecopyInfo()
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        var info = new Interop.Vfio.vfio_precopy_info { argsz = (uint)sizeof(Interop.Vfio.vfio_precopy_info) };
        if (KernelCall.TryIoctl(_fd, Interop.Vfio.VFIO_MIG_GET_PRECOPY_INFO, &info, out int errno) < 0)
        {
            var cause = new VfioErrnoException(errno, "ioctl VFIO_MIG_GET_PRECOPY_INFO on " + _description, _device);
            // ENOTTY: not a pre-copy capable data_fd (or a kernel before 6.2); EINVAL: not in a PRE_COPY state.
            if (errno is Interop.Errno.ENOTTY or Interop.Errno.EINVAL)
            {
                throw InteropErrors.PrecopyInfoUnavailable(_device, _description, cause);

            }
            throw cause;
        }
        return new PrecopyInfo(info.initial_bytes, info.dirty_bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fd.Dispose();
        }
        base.Dispose(disposing);
    }
}
