using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    /// <summary>
    /// libc calls resolved the way a C program's calls are: in the process's global symbol scope
    /// (<see cref="NativeLibrary.GetMainProgramHandle"/>), not inside libc.so.6 alone. The difference is an
    /// LD_PRELOAD library: it is seen here, as it is by .NET's own file calls, so the errno fault shim of the tests
    /// (tools/faultshim) reaches the durability calls too. Only file-system calls whose errno a user must see live here.
    /// </summary>
    internal static partial class ProcessCalls
    {
        private const string Process = "vfio-process-symbols";

        static ProcessCalls() =>
            NativeLibrary.SetDllImportResolver(typeof(ProcessCalls).Assembly,
                (name, _, _) => name == Process ? NativeLibrary.GetMainProgramHandle() : IntPtr.Zero);

        /// <summary>Makes sure the resolver is registered before the first call (the static constructor runs once).</summary>
        internal static void Ensure()
        {
        }

        [LibraryImport(Process, EntryPoint = "fsync", SetLastError = true)]
        internal static partial int fsync(int fd);

        // O_RDONLY only: a directory opens for reading without O_DIRECTORY, whose value differs between x86-64 and arm64.
        [LibraryImport(Process, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string pathname, int flags);

        [LibraryImport(Process, EntryPoint = "close", SetLastError = true)]
        internal static partial int close(int fd);
    }
}
