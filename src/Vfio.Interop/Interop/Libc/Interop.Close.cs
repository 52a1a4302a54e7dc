using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // Takes the raw fd: only SafeVfioHandle.ReleaseHandle calls it, once, for the fd it owns.
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int close(int fd);
    }
}
