using System.Text;
using Mono.Unix.Native;

namespace Mdev.Manager;

/// <summary>
/// Replaces a file so that a reader, another process or a crash sees either the old or the new content,
/// never a half-written one: a temporary file (in the target's directory unless told otherwise; it must be on the
/// same file system), fsync, rename over the target, fsync of the directory (the rename is durable only once the
/// directory entry is on disk). With <c>mode</c>, the temporary file is created with those permissions, so the
/// content is never readable under looser ones, not even for a moment.
/// </summary>
internal static class AtomicFile
{
    internal static void Write(string path, string content, UnixFileMode? mode = null, string? temporaryDirectory = null) =>
        WriteBytes(path, Encoding.UTF8.GetBytes(content), mode, temporaryDirectory);

    internal static void WriteBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null, string? temporaryDirectory = null)
    {
        string directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temporary = Path.Join(temporaryDirectory ?? directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = unixMode;
            }
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
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
