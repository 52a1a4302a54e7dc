namespace Vfio;

internal static partial class Interop
{
    /// <summary>Names of the native libraries this assembly imports from, in one place.</summary>
    internal static class Libraries
    {
        // glibc and musl both answer to "libc"; the runtime probes libc.so.6 / libc.so.
        internal const string Libc = "libc";
    }
}
