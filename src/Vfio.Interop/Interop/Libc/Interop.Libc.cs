using System.Runtime.InteropServices;
using System.Text;
using T = Tmds.Linux.LibC;

namespace Vfio;

internal static partial class Interop
{
    /// <summary>
    /// The plain libc calls beneath <see cref="SafeVfioHandle"/>: <c>open</c>, <c>close</c>, <c>read</c>, <c>write</c>,
    /// <c>pread</c>, <c>pwrite</c>, <c>ioctl</c> go through Tmds.LibC (<c>libc.so.6</c>, <c>SetLastError</c> on every one,
    /// so <see cref="Marshal.GetLastPInvokeError"/> straight after a call is its errno). Tmds.LibC takes the descriptor
    /// as an <c>int</c>; each call here holds a reference on the handle for its duration, as a SafeHandle parameter of a
    /// generated stub would, so a concurrent close cannot hand the number to another file mid-call. The VFIO structs and
    /// ioctl numbers, which Tmds.LibC does not have, stay in <c>Interop.Vfio</c>; the ABI test checks those, the
    /// constants below and the sizes of Tmds.LibC's <c>off_t</c>, <c>size_t</c>, <c>ssize_t</c> and <c>pollfd</c> against gcc.
    /// </summary>
    internal static partial class Libc
    {
        // <fcntl.h> on Linux (asm-generic; x86-64 and arm64 agree). Checked by the ABI test.
        internal const int O_RDONLY = 0;
        internal const int O_WRONLY = 1;
        internal const int O_RDWR = 2;
        internal const int O_CLOEXEC = 0x80000;

        // <fcntl.h> with _GNU_SOURCE: a pipe's capacity (F_LINUX_SPECIFIC_BASE + 8 and + 7). Checked by the ABI test.
        internal const int F_GETPIPE_SZ = 1032;
        internal const int F_SETPIPE_SZ = 1031;

        // <poll.h>. Checked by the ABI test.
        internal const short POLLIN = 0x001;
        internal const short POLLOUT = 0x004;

        /// <summary><c>open(2)</c> without <c>O_CREAT</c> (the mode is never used); returns the raw fd, or -1 with errno.</summary>
        internal static unsafe int open(string pathname, int flags)
        {
            // NUL-terminated UTF-8, as the kernel reads a path.
            byte[] path = new byte[Encoding.UTF8.GetByteCount(pathname) + 1];
            Encoding.UTF8.GetBytes(pathname, path);
            fixed (byte* p = path)
            {
                return T.open(p, flags, 0);
            }
        }

        /// <summary><c>close(2)</c> of the raw fd: only <see cref="SafeVfioHandle"/>'s release calls it, once.</summary>
        internal static int close(int fd) => T.close(fd);

        /// <summary><c>read(2)</c>, on the v2 migration data_fd (a stream).</summary>
        internal static unsafe nint read(SafeHandle fd, byte* buf, nuint count)
        {
            using var lease = new FdLease(fd);
            return (nint)(long)T.read(lease.Fd, buf, (Tmds.Linux.size_t)(ulong)count);
        }

        /// <summary><c>write(2)</c>, on the v2 migration data_fd in RESUMING.</summary>
        internal static unsafe nint write(SafeHandle fd, byte* buf, nuint count)
        {
            using var lease = new FdLease(fd);
            return (nint)(long)T.write(lease.Fd, buf, (Tmds.Linux.size_t)(ulong)count);
        }

        /// <summary><c>pread(2)</c>: off_t is 64-bit on every 64-bit Linux ABI, and VFIO region offsets (index &lt;&lt; 40 for vfio-pci) need all of it.</summary>
        internal static unsafe nint pread(SafeHandle fd, byte* buf, nuint count, long offset)
        {
            using var lease = new FdLease(fd);
            return (nint)(long)T.pread(lease.Fd, buf, (Tmds.Linux.size_t)(ulong)count, offset);
        }

        /// <summary><c>pwrite(2)</c>; see <see cref="pread"/> for off_t.</summary>
        internal static unsafe nint pwrite(SafeHandle fd, byte* buf, nuint count, long offset)
        {
            using var lease = new FdLease(fd);
            return (nint)(long)T.pwrite(lease.Fd, buf, (Tmds.Linux.size_t)(ulong)count, offset);
        }

        /// <summary>
        /// <c>ioctl(2)</c>. Tmds.LibC declares the request as <c>int</c>; the kernel reads it as <c>unsigned int</c>
        /// (<c>SYSCALL_DEFINE3(ioctl, unsigned int fd, unsigned int cmd, unsigned long arg)</c>), so any request of 32 bits
        /// passes unchanged (VFIO's are <c>_IO</c> numbers, far below 2^31). A request wider than 32 bits cannot be meant.
        /// </summary>
        internal static unsafe int ioctl(SafeHandle fd, nuint request, void* arg)
        {
            if (request > uint.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(request), request, "an ioctl request is 32 bits");
            }
            using var lease = new FdLease(fd);
            return T.ioctl(lease.Fd, unchecked((int)(uint)request), arg);
        }

        /// <summary><c>fcntl(2)</c> with an <c>int</c> argument (<see cref="F_GETPIPE_SZ"/>, <see cref="F_SETPIPE_SZ"/>).</summary>
        internal static int fcntl(SafeHandle fd, int cmd, int arg)
        {
            using var lease = new FdLease(fd);
            return T.fcntl(lease.Fd, cmd, arg);
        }

        /// <summary>
        /// <c>poll(2)</c> of <paramref name="nfds"/> <c>struct pollfd</c>s. Bound here, not through Tmds.LibC: its
        /// <c>poll</c> is declared without <c>SetLastError</c>, so the errno of a failed wait (EINTR when a signal
        /// arrived, which is how Ctrl-C ends a wait on a pipe) would be lost and a stale one read instead.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int poll(void* fds, nuint nfds, int timeout);

        /// <summary>
        /// <c>readlink(2)</c>: the target of the symbolic link at the NUL-terminated <paramref name="path"/>, not
        /// terminated, or -1 with errno (EINVAL: not a link). Bound here with <c>SetLastError</c> for the same reason
        /// as <see cref="poll"/>.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "readlink", SetLastError = true)]
        internal static unsafe partial nint readlink(byte* path, byte* buffer, nuint size);

        /// <summary>
        /// A reference on a handle for one call, what a SafeHandle parameter of a generated stub takes: a concurrent
        /// close cannot release the number (and let the kernel hand it to another file) until the call returned.
        /// </summary>
        private readonly ref struct FdLease
        {
            private readonly SafeHandle _handle;
            private readonly bool _held;

            public FdLease(SafeHandle handle)
            {
                _handle = handle;
                handle.DangerousAddRef(ref _held);
                Fd = (int)handle.DangerousGetHandle();
            }

            public int Fd { get; }

            public void Dispose()
            {
                if (_held)
                {
                    _handle.DangerousRelease();
                }
            }
        }
    }
}
