using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t write(int fd, const void *buf, size_t count): used on the v2 migration data_fd in RESUMING.
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static unsafe partial nint write(SafeHandle fd, byte* buf, nuint count);
    }
}
