using System.Globalization;
using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    /// <summary>
    /// errno values VFIO and the calls around it return (asm-generic/errno-base.h and errno.h, which x86-64 and
    /// arm64 share), with their C names and glibc's strerror text. Checked against &lt;errno.h&gt; by the ABI test.
    /// </summary>
    internal static class Errno
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int EINTR = 4;
        internal const int EIO = 5;
        internal const int ENXIO = 6;
        internal const int E2BIG = 7;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11;
        internal const int ENOMEM = 12;
        internal const int EACCES = 13;
        internal const int EFAULT = 14;
        internal const int EBUSY = 16;
        internal const int EEXIST = 17;
        internal const int ENODEV = 19;
        internal const int ENOTDIR = 20;
        internal const int EISDIR = 21;
        internal const int EINVAL = 22;
        internal const int EMFILE = 24;
        internal const int ETXTBSY = 26;
        internal const int EFBIG = 27;
        internal const int ENOTTY = 25;
        internal const int ENOSPC = 28;
        internal const int ESPIPE = 29;
        internal const int EROFS = 30;
        internal const int EPIPE = 32;
        internal const int ERANGE = 34;
        internal const int ENAMETOOLONG = 36;
        internal const int ELOOP = 40;
        internal const int ENOMSG = 42;
        internal const int EOVERFLOW = 75;
        internal const int EOPNOTSUPP = 95;
        internal const int ETIMEDOUT = 110;
        internal const int EDQUOT = 122;

        private static readonly Dictionary<int, (string Name, string Message)> s_table = new()
        {
            [EPERM] = ("EPERM", "Operation not permitted"),
            [ENOENT] = ("ENOENT", "No such file or directory"),
            [EINTR] = ("EINTR", "Interrupted system call"),
            [EIO] = ("EIO", "Input/output error"),
            [ENXIO] = ("ENXIO", "No such device or address"),
            [E2BIG] = ("E2BIG", "Argument list too long"),
            [EBADF] = ("EBADF", "Bad file descriptor"),
            [EAGAIN] = ("EAGAIN", "Resource temporarily unavailable"),
            [ENOMEM] = ("ENOMEM", "Cannot allocate memory"),
            [EACCES] = ("EACCES", "Permission denied"),
            [EFAULT] = ("EFAULT", "Bad address"),
            [EBUSY] = ("EBUSY", "Device or resource busy"),
            [EEXIST] = ("EEXIST", "File exists"),
            [ENODEV] = ("ENODEV", "No such device"),
            [ENOTDIR] = ("ENOTDIR", "Not a directory"),
            [EISDIR] = ("EISDIR", "Is a directory"),
            [EINVAL] = ("EINVAL", "Invalid argument"),
            [EMFILE] = ("EMFILE", "Too many open files"),
            [ETXTBSY] = ("ETXTBSY", "Text file busy"),
            [EFBIG] = ("EFBIG", "File too large"),
            [ENOTTY] = ("ENOTTY", "Inappropriate ioctl for device"),
            [ENOSPC] = ("ENOSPC", "No space left on device"),
            [ESPIPE] = ("ESPIPE", "Illegal seek"),
            [EROFS] = ("EROFS", "Read-only file system"),
            [EPIPE] = ("EPIPE", "Broken pipe"),
            [ERANGE] = ("ERANGE", "Numerical result out of range"),
            [ENAMETOOLONG] = ("ENAMETOOLONG", "File name too long"),
            [ELOOP] = ("ELOOP", "Too many levels of symbolic links"),
            [ENOMSG] = ("ENOMSG", "No message of desired type"),
            [EOVERFLOW] = ("EOVERFLOW", "Value too large for defined data type"),
            [EOPNOTSUPP] = ("EOPNOTSUPP", "Operation not supported"),
            [ETIMEDOUT] = ("ETIMEDOUT", "Connection timed out"),
            [EDQUOT] = ("EDQUOT", "Disk quota exceeded"),
        };

        /// <summary>The C name of an errno value, e.g. <c>ENOTTY</c>; <c>errno 123</c> for one not in the table.</summary>
        internal static string Name(int errno) =>
            s_table.TryGetValue(errno, out var entry) ? entry.Name : "errno " + errno.ToString(CultureInfo.InvariantCulture);

        /// <summary>The strerror text; for a value not in the table, the runtime asks the C library.</summary>
        internal static string Message(int errno) =>
            s_table.TryGetValue(errno, out var entry) ? entry.Message : Marshal.GetPInvokeErrorMessage(errno);

        /// <summary>The errno values the table names, for tests.</summary>
        internal static IEnumerable<int> Known => s_table.Keys;
    }
}
