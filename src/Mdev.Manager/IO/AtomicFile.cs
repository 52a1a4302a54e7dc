using System.Text;
using Mono.Unix.Native;

namespace Mdev.Manager;

/// <summary>
/// Replaces a file so that a reader, another process or a crash sees either the old or the new content,
/// never a half-written one: a temporary file in the same directory, fsync, rename over the target, fsync of
/// the directory (the rename is durable only once the directory entry is on disk).
/// </summary>
internal static class AtomicFile
{
    internal static void Write(string path, string content)
    {
        string directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temporary = Path.Join(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // Only still present when something above failed; the original error propagates.
            File.Delete(temporary);
        }
        SyncDirectory(directory);
    }

    /// <summary>fsync(2) on a directory: .NET cannot open a directory as a file, so this goes through Mono.Posix.</summary>
    internal static void SyncDirectory(string directory)
    {
        int fd = Syscall.open(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to sync it: {Stdlib.GetLastError()}");
        }
        try
        {
            if (Syscall.fsync(fd) < 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed: {Stdlib.GetLastError()}");
            }
        }
        finally
        {
            _ = Syscall.close(fd);
        }
    }
}
