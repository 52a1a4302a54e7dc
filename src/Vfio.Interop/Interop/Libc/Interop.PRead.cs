using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t pread(int fd, void *buf, size_t count, off_t offset): off_t is 64-bit on every 64-bit Linux
        // ABI, and VFIO region offsets (index << 40 for vfio-pci) need all of it.
        [LibraryImport(Libraries.Libc, EntryPoint = "pread", SetLastError = true)]
        internal static unsafe partial nint pread(SafeHandle fd, byte* buf, nuint count, long offset);
    }
}
