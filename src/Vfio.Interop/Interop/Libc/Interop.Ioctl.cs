using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int ioctl(int fd, unsigned long request, ...): variadic, so the third argument is passed as one
        // pointer-sized value. VFIO ioctls take either a pointer to an argsz-prefixed struct, a pointer to an
        // int (GROUP_SET_CONTAINER), a char* (GROUP_GET_DEVICE_FD) or a plain integer (CHECK_EXTENSION).
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int ioctl(SafeHandle fd, nuint request, void* arg);
    }
}
