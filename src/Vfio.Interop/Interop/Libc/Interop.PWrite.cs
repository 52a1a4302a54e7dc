using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset); see pread for off_t.
        [LibraryImport(Libraries.Libc, EntryPoint = "pwrite", SetLastError = true)]
        internal static unsafe partial nint pwrite(SafeHandle fd, byte* buf, nuint count, long offset);
    }
}
