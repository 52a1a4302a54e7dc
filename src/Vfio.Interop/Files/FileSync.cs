using System.Runtime.InteropServices;
using Vfio.Errors;

namespace Vfio.Files;

/// <summary>
/// fsync(2) with its failure reported as a <see cref="VfioFileException"/>: of a file, before it is renamed into place,
/// and of a directory, after a rename or a removal in it, so the new name survives a crash.
/// </summary>
/// <remarks>
/// The file's sync is made here rather than through <c>FileStream.Flush(true)</c>: with .NET 10.0.12 an EIO that
/// fsync returned there (injected by tools/faultshim) did not surface as an exception, and a durable write whose sync
/// failed must not go on to the rename as if its data were on disk. The calls resolve in the process's global scope,
/// so an LD_PRELOAD library sees them as it sees the runtime's own file calls.
/// </remarks>
public static class FileSync
{
    /// <summary>Syncs an open file's data and metadata to its device.</summary>
    /// <param name="stream">The file, already flushed (unbuffered, or flushed by the caller).</param>
    /// <param name="operation">What the sync completes, naming the file, for the error message.</param>
    /// <param name="kept">What is on disk if the sync fails.</param>
    /// <exception cref="VfioFileException">fsync failed (EIO, ENOSPC, ...), naming the file and the errno.</exception>
    public static void File(FileStream stream, string operation, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (OperatingSystem.IsWindows())
        {
            stream.Flush(flushToDisk: true);
            return;
        }
        Interop.ProcessCalls.Ensure();
        bool added = false;
        try
        {
            stream.SafeFileHandle.DangerousAddRef(ref added);
            if (Interop.ProcessCalls.fsync((int)stream.SafeFileHandle.DangerousGetHandle()) < 0)
            {
                throw new VfioFileException(Marshal.GetLastPInvokeError(), operation, stream.Name, kept);
            }
        }
        finally
        {
            if (added)
            {
                stream.SafeFileHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Syncs a directory (its entries: a rename or removal in it becomes durable).</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="operation">What the sync completes, for the error message; null for a plain "syncing the directory".</param>
    /// <param name="kept">What is on disk if the sync fails.</param>
    /// <exception cref="VfioFileException">The directory could not be opened or synced, naming it and the errno.</exception>
    public static void Directory(string directory, string? operation = null, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        operation ??= $"syncing the directory '{directory}'";
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Interop.ProcessCalls.Ensure();
        int fd = Interop.ProcessCalls.open(directory, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw new VfioFileException(Marshal.GetLastPInvokeError(), operation, directory, kept);
        }
        try
        {
            if (Interop.ProcessCalls.fsync(fd) < 0)
            {
                throw new VfioFileException(Marshal.GetLastPInvokeError(), operation, directory, kept);
            }
        }
        finally
        {
            _ = Interop.ProcessCalls.close(fd);
        }
    }
}
