namespace Mdev.Manager;

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
            Directory.CreateDirectory(missing.Pop(), DirectoryMode);
        }
    }

    /// <summary>Replaces a text file atomically; a new file is 0600 from its creation.</summary>
    internal static void Write(string path, string content) => AtomicFile.Write(path, content, FileMode);

    /// <summary>Replaces a binary file atomically; a new file is 0600 from its creation.</summary>
    internal static void WriteBytes(string path, ReadOnlySpan<byte> content) => AtomicFile.WriteBytes(path, content, FileMode);

    /// <summary>Creates an empty file with mode 0600 if none exists (a marker); an existing file is kept.</summary>
    internal static void Touch(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        using var stream = new FileStream(path, options);
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
