using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t read(int fd, void *buf, size_t count): used on the v2 migration data_fd, which is a stream.
        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static unsafe partial nint read(SafeHandle fd, byte* buf, nuint count);
    }
}
