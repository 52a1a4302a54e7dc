using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // <fcntl.h> on Linux (asm-generic; x86-64 and arm64 agree). Checked by the ABI test.
        internal const int O_RDONLY = 0;
        internal const int O_WRONLY = 1;
        internal const int O_RDWR = 2;
        internal const int O_CLOEXEC = 0x80000;

        // int open(const char *pathname, int flags, ...): no O_CREAT here, so the mode argument is never passed.
        // Returns the raw int, not a SafeHandle: a SafeHandle return is marshalled as a pointer-sized value, and
        // the 32-bit -1 in eax would arrive as 0xFFFFFFFF, which is neither -1 nor a real fd.
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string pathname, int flags);
    }
}
