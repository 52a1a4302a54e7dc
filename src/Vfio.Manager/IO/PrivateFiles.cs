using Vfio.Errors;

namespace Vfio.Manager.IO;

/// <summary>
/// Files only their owner may read: definitions, the emulated host's device state, migration state, fault plans and
/// locks, and migration streams saved to a file. They are created with <see cref="FileMode"/> (0600) and their
/// directories with <see cref="DirectoryMode"/> (0700) from the first system call on, never created with the
/// process's umask and tightened later, so there is no moment in which another user can open them.
/// </summary>
/// <remarks>
/// The umask can only clear bits, so a file created here is at most 0600 whatever the caller's umask is; an
/// existing file or directory keeps the mode its owner gave it.
/// </remarks>
internal static class PrivateFiles
{
    /// <summary>rw------- (0600).</summary>
    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------ (0700).</summary>
    internal const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> and any missing parent with mode 0700; existing directories are left as they are.</summary>
    /// <param name="path">The directory.</param>
    /// <exception cref="VfioFileException">A directory could not be created (EROFS, EACCES, ENOSPC, ...), naming it.</exception>
    internal static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last directory only; the missing ones above it
        // would get 0777 less the umask. So each missing directory is created here, top down, with 0700.
        string full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (string? d = full; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }
        while (missing.Count > 0)
        {
            string directory = missing.Pop();
            try
            {
                Directory.CreateDirectory(directory, DirectoryMode);
            }
            catch (Exception e) when (FileFault.Is(e))
            {
                throw FileFault.From(e, $"creating the directory '{directory}'", directory, "nothing was written");
            }
        }
    }

    /// <summary>Replaces a text file atomically; a new file is 0600 from its creation.</summary>
    /// <param name="path">The file.</param>
    /// <param name="content">Its new content.</param>
    /// <param name="what">What the file is, for the error message (e.g. <c>definition</c>).</param>
    internal static void Write(string path, string content, string what = "file") => AtomicFile.Write(path, content, FileMode, what: what);

    /// <summary>Replaces a binary file atomically; a new file is 0600 from its creation.</summary>
    /// <param name="path">The file.</param>
    /// <param name="content">Its new content.</param>
    /// <param name="what">What the file is, for the error message (e.g. <c>device state</c>).</param>
    internal static void WriteBytes(string path, ReadOnlySpan<byte> content, string what = "file") => AtomicFile.WriteBytes(path, content, FileMode, what: what);

    /// <summary>Creates an empty file with mode 0600 if none exists (a marker); an existing file is kept.</summary>
    internal static void Touch(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        FileFault.Run($"creating the marker file '{path}'", path, () => new FileStream(path, options).Dispose());
    }

    /// <summary>Options that open (creating if needed) a file with mode 0600, for lock files.</summary>
    internal static FileStreamOptions OpenOrCreate(FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return options;
    }
}
