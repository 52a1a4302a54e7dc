using System.Text;
using Vfio.Errors;
using Vfio.Files;

namespace Vfio.Manager.IO;

/// <summary>
/// Replaces a file so that a reader, another process or a crash sees either the old or the new content,
/// never a half-written one: a temporary file (in the target's directory unless told otherwise; it must be on the
/// same file system), fsync, rename over the target, fsync of the directory (the rename is durable only once the
/// directory entry is on disk). With <c>mode</c>, the temporary file is created with those permissions, so the
/// content is never readable under looser ones, not even for a moment.
/// </summary>
/// <remarks>
/// A failed system call at any step (no space, an I/O error, a read-only file system, no permission) is a
/// <see cref="VfioFileException"/> naming the step, the path, the errno and what was kept: before the rename the old
/// content (or no file) is kept and the temporary file is removed; after it, the new content is in place.
/// </remarks>
internal static class AtomicFile
{
    internal static void Write(string path, string content, UnixFileMode? mode = null, string? temporaryDirectory = null, string what = "file") =>
        WriteBytes(path, Encoding.UTF8.GetBytes(content), mode, temporaryDirectory, what);

    internal static void WriteBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null, string? temporaryDirectory = null, string what = "file")
    {
        string directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temporary = Path.Join(temporaryDirectory ?? directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string operation = $"writing the {what} '{path}'";
        string kept = File.Exists(path) ? $"the old content of '{path}' is kept" : $"'{path}' was not created";
        string step = $"create of its temporary file '{temporary}'";
        bool created = false;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = unixMode;
            }
            // Unbuffered, so each step below is one system call and a failure is reported at the step that failed.
            using (var stream = new FileStream(temporary, options))
            {
                created = true;
                step = $"write of its temporary file '{temporary}'";
                stream.Write(content);
                step = $"fsync of its temporary file '{temporary}'";
                FileSync.File(stream, $"{operation} ({step})");
            }
            step = $"rename of '{temporary}' over it";
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (FileFault.Is(e) || e is VfioFileException)
        {
            VfioFileException named = FileFault.From(e, $"{operation} ({step})", created ? temporary : path, kept);
            throw new VfioFileException(named.Code, named.Errno, named.Operation, named.Path, kept + RemoveTemporary(temporary, created), e);
        }
        SyncDirectory(directory, $"{operation} (fsync of its directory '{directory}')",
            $"the new content of '{path}' is in place, but the rename may not survive a crash");
    }

    /// <summary>fsync(2) on a directory (<see cref="FileSync.Directory"/>).</summary>
    internal static void SyncDirectory(string directory, string? operation = null, string? kept = null) => FileSync.Directory(directory, operation, kept);

    /// <summary>Removes a temporary file after a failed step; says so when even that fails (it is then the only thing left behind).</summary>
    private static string RemoveTemporary(string temporary, bool created)
    {
        if (!created)
        {
            return "";
        }
        try
        {
            File.Delete(temporary);
            return "; the temporary file was removed";
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            return $"; the temporary file '{temporary}' could not be removed either ({FileFault.From(e, "unlink", temporary).ErrnoName}): remove it by hand";
        }
    }
}
