using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Vfio.Errors;
using Vfio.Files;
using Vfio.IO;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Opens the files named on the command line. A file that cannot be opened is a usage error; a document read from a
/// file is capped and must be a regular file (a FIFO or a device such as /dev/zero would block or never end); a
/// migration stream saved to a file is created owner-only and never through a symbolic link.
/// </summary>
internal static class CliFiles
{
    /// <summary>The largest JSON document (definition, device, capability) read from a file: far above any real one.</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>PATH_MAX on Linux, terminating NUL included: no longer path can be opened.</summary>
    public const int MaxPathLength = 4095;

    /// <summary>rw------- for a saved migration stream: it is the device's state.</summary>
    public const UnixFileMode StreamFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Opens a migration stream (or a channel of one) to load: a file, or a FIFO, which is grown to a chunk
    /// (<see cref="UnixPipe.TryGrow"/>).</summary>
    public static FileStream OpenRead(string path) => Open(path, () => GrowPipe(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)));

    public static FileStream Create(string path) => Open(path, () => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true));

    /// <summary>What <c>save -o</c> writes into: a new or regular file (through <c>.partial</c> and a rename), or a FIFO
    /// or character device that already exists (opened and written, never replaced).</summary>
    public enum OutputKind
    {
        /// <summary>No file yet, or a regular file: written beside it and renamed over it once whole.</summary>
        File,

        /// <summary>An existing FIFO or character device (<c>/dev/null</c>, a tape, a pipe to another program): written in place.</summary>
        Stream,
    }

    /// <summary>
    /// Decides how <c>save -o</c> writes to <paramref name="target"/> before anything is stopped. A symbolic link is a
    /// usage error (<see cref="RefuseLink"/>); a directory, a block device or a socket is refused with
    /// <see cref="ErrorCode.FileKindInvalid"/>: a directory cannot hold the stream under its own name, and a stream
    /// written over a disk or into a socket file is never what an operator meant.
    /// </summary>
    public static OutputKind ClassifyOutput(string target)
    {
        RefuseLink(target);
        if (OperatingSystem.IsWindows() || !UnixFileStatus.TryLstat(target, out UnixFileStatus status, out _))
        {
            return OutputKind.File;
        }
        return status.Kind switch
        {
            UnixFileKind.Regular => OutputKind.File,
            UnixFileKind.Fifo or UnixFileKind.CharacterDevice => OutputKind.Stream,
            _ => throw new VfioFileException(ErrorCode.FileKindInvalid, status.Kind == UnixFileKind.Directory ? EISDIR : 0,
                $"saving the migration stream to '{target}' (it is {status.Describe()}; name a file, a FIFO or a character device)",
                target, "nothing was written and the source was not stopped")
            {
                Expected = "a regular file, a new name, a FIFO or a character device",
            },
        };
    }

    /// <summary>Opens an existing FIFO or character device for writing, unbuffered, without truncating or replacing it
    /// (a FIFO's open waits for its reader, as a shell's redirection does).</summary>
    public static FileStream OpenExistingForWrite(string target) =>
        Open(target, () => GrowPipe(new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0)));

    // A FIFO holds 64 KiB unless asked for more; a migration stream moves in 1 MiB chunks. A file is left alone.
    private static FileStream GrowPipe(FileStream stream)
    {
        UnixPipe.TryGrow(stream.SafeFileHandle);
        return stream;
    }

    private const int EISDIR = 21;

    /// <summary>
    /// Creates <c>&lt;target&gt;.partial</c> for a stream that is renamed to <paramref name="target"/> only once whole
    /// (<see cref="CommitPartial"/>). The file is created with O_CREAT|O_EXCL and mode 0600, so it is never opened
    /// through a link planted at its name and never readable by others; a symbolic link at either name is refused.
    /// A regular file left at the partial name by an earlier save that was killed is replaced.
    /// </summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.UsageError"/> for a link at either name, or a file that cannot be created.</exception>
    public static FileStream CreatePartial(string target)
    {
        string partial = PartialOf(target);
        RefuseLink(target);
        RefuseLink(partial);
        // Unbuffered: SaveCommand buffers above a FileFaultStream, so a failed write is named where it happens and a
        // failed save never has buffered bytes left to flush (and fail again) while the partial file is discarded.
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = StreamFileMode;
        }
        return Open(partial, () =>
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
            return new FileStream(partial, options);
        });
    }

    /// <summary>Renames the finished <c>.partial</c> over <paramref name="target"/> (rename(2) replaces the name, it never
    /// writes through it), then syncs the directory so the new name survives a crash.</summary>
    /// <exception cref="VfioFileException">The rename or the directory sync failed, naming the errno.</exception>
    public static void CommitPartial(string target)
    {
        RefuseLink(target);
        string partial = PartialOf(target);
        FileFault.Run($"renaming '{partial}' to '{target}'", partial, () => File.Move(partial, target, overwrite: true),
            File.Exists(target) ? $"the old '{target}' is kept" : $"'{target}' was not created");
        string directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        FileSync.Directory(directory, $"syncing the directory '{directory}' after renaming the stream to '{target}'",
            $"'{target}' holds the whole stream, but its name may not survive a crash");
    }

    /// <summary>Removes the <c>.partial</c> of a save that failed.</summary>
    /// <returns>Null when it is gone; otherwise what is left, for the error message (the save's own error stays the one reported).</returns>
    public static string? DiscardPartial(string target)
    {
        string partial = PartialOf(target);
        try
        {
            File.Delete(partial);
            return null;
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            return $"the partial stream '{partial}' could not be removed ({FileFault.From(e, "unlink", partial).ErrnoName}): remove it by hand";
        }
    }

    /// <summary>
    /// Reads a JSON document named on the command line: a regular file of at most <see cref="MaxDocumentBytes"/>,
    /// in UTF-8. Anything else is <see cref="ErrorCode.DocumentInvalid"/> naming the file and what was expected.
    /// </summary>
    public static string ReadDocument(string path, string kind)
    {
        try
        {
            if (!OperatingSystem.IsWindows() && UnixFileStatus.TryStat(path, out UnixFileStatus status, out _) && status.Kind != UnixFileKind.Regular)
            {
                throw Invalid(path, kind, "it is not a regular file", "a JSON file");
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            return ReadCapped(stream, path, kind);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw CliErrors.DocumentUnreadable(kind, path, e);
        }
    }

    /// <summary>
    /// <see cref="ReadDocument(string, string)"/>, or, for <c>-</c>, the document piped on standard input (the same cap
    /// and UTF-8 check; a terminal on stdin is a usage error rather than a wait for a document typed by hand).
    /// </summary>
    public static string ReadDocument(string path, string kind, CliConsole console)
    {
        if (path != "-")
        {
            return ReadDocument(path, kind);
        }
        if (console.InputIsTerminal)
        {
            throw CliErrors.StdinIsTerminal(kind);
        }
        try
        {
            using Stream input = console.OpenInput();
            return ReadCapped(input, "standard input", kind);
        }
        catch (Exception e) when (e is IOException or DecoderFallbackException)
        {
            throw CliErrors.StdinUnreadable(kind, e);
        }
    }

    private static string ReadCapped(Stream stream, string path, string kind)
    {
        using var content = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (content.Length + read > MaxDocumentBytes)
            {
                throw Invalid(path, kind, $"it is larger than {MaxDocumentBytes} bytes", $"a JSON document of at most {MaxDocumentBytes} bytes");
            }
            content.Write(chunk, 0, read);
        }
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content.GetBuffer(), 0, (int)content.Length);
    }

    /// <summary>
    /// The check every path option and argument gets at parse time: not empty, no NUL (the kernel would cut the path
    /// there), at most PATH_MAX. A failure is a usage error (exit 64) before any service starts.
    /// </summary>
    public static void ValidatePath(OptionResult result) => ValidatePath(result.Tokens, result.AddError);

    /// <inheritdoc cref="ValidatePath(OptionResult)"/>
    public static void ValidatePath(ArgumentResult result) => ValidatePath(result.Tokens, result.AddError);

    /// <summary>Adds <see cref="ValidatePath(OptionResult)"/> to an option that names a file or directory.</summary>
    public static Option<T> PathOption<T>(Option<T> option)
    {
        option.Validators.Add(ValidatePath);
        return option;
    }

    /// <summary>Adds <see cref="ValidatePath(ArgumentResult)"/> to an argument that names a file or directory.</summary>
    public static Argument<T> PathArgument<T>(Argument<T> argument)
    {
        argument.Validators.Add(ValidatePath);
        return argument;
    }

    private static void ValidatePath(IReadOnlyList<Token> tokens, Action<string> addError)
    {
        foreach (Token token in tokens)
        {
            if (PathProblem(token.Value) is string problem)
            {
                addError($"the path '{token.Value}' {problem}.");
            }
        }
    }

    /// <summary>Why a path from input cannot be used, or null.</summary>
    public static string? PathProblem(string path) =>
        path.Length == 0 ? "is empty"
        : path.Contains('\0', StringComparison.Ordinal) ? "contains a NUL character"
        : path.Length > MaxPathLength ? $"is longer than {MaxPathLength} characters"
        : null;

    private static string PartialOf(string target) => target + ".partial";

    private static void RefuseLink(string path)
    {
        if (new FileInfo(path).LinkTarget is string link)
        {
            throw CliErrors.OutputIsLink(path, link);
        }
    }

    private static VfioException Invalid(string path, string kind, string problem, string expected) =>
        CliErrors.DocumentInvalid(kind, path, problem, expected);

    private static FileStream Open(string path, Func<FileStream> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliErrors.CannotOpen(path, e);

        }
        catch (Exception e) when (FileFault.Is(e))
        {
            // Not the command line's fault: a read-only file system, no permission, no space, a directory.
            throw FileFault.From(e, $"opening '{path}'", path, "nothing was written");
        }
    }
}
