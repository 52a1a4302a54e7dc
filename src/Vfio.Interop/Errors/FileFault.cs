namespace Vfio.Errors;

/// <summary>
/// Turns the runtime's exceptions for a failed file call (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>)
/// into a <see cref="VfioFileException"/> with a catalogue code, the errno name, the operation and the path.
/// </summary>
/// <remarks>
/// On Linux, .NET raises an <see cref="IOException"/> whose <see cref="Exception.HResult"/> is the raw errno for every
/// errno it has no own exception for (ENOSPC, EIO, EROFS, ...), <see cref="UnauthorizedAccessException"/> for EACCES,
/// EPERM and EBADF, and <see cref="FileNotFoundException"/> or <see cref="DirectoryNotFoundException"/> for ENOENT.
/// </remarks>
public static class FileFault
{
    /// <summary>True for the exceptions a failed file call raises (a <see cref="VfioException"/> is already named).</summary>
    /// <param name="e">The exception.</param>
    /// <returns>Whether <see cref="From"/> applies.</returns>
    public static bool Is(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>The errno behind a runtime file exception; 0 when it does not carry one.</summary>
    /// <param name="e">The exception.</param>
    /// <returns>The errno, or 0.</returns>
    public static int ErrnoOf(Exception e) => e switch
    {
        VfioFileException v => v.Errno,
        UnauthorizedAccessException => Interop.Errno.EACCES,
        FileNotFoundException or DirectoryNotFoundException => Interop.Errno.ENOENT,
        PathTooLongException => Interop.Errno.ENAMETOOLONG,
        IOException io when io.HResult is > 0 and < 4096 => io.HResult,
        _ => 0,
    };

    /// <summary>The catalogue code of an errno from a file call.</summary>
    /// <param name="errno">The errno; 0 for unknown.</param>
    /// <returns><see cref="ErrorCode.FileSystemReadOnly"/>, <see cref="ErrorCode.FilePermissionDenied"/>,
    /// <see cref="ErrorCode.FileSystemFull"/>, <see cref="ErrorCode.FileKindInvalid"/> or <see cref="ErrorCode.FileIoFailed"/>.</returns>
    public static ErrorCode CodeFor(int errno) => errno switch
    {
        Interop.Errno.EROFS => ErrorCode.FileSystemReadOnly,
        Interop.Errno.EACCES or Interop.Errno.EPERM => ErrorCode.FilePermissionDenied,
        Interop.Errno.ENOSPC or Interop.Errno.EDQUOT => ErrorCode.FileSystemFull,
        Interop.Errno.EISDIR or Interop.Errno.ENOTDIR or Interop.Errno.ELOOP or Interop.Errno.ENXIO => ErrorCode.FileKindInvalid,
        _ => ErrorCode.FileIoFailed,
    };

    /// <summary>The named form of a runtime file exception (a <see cref="VfioFileException"/> is returned as it is).</summary>
    /// <param name="e">The runtime's exception.</param>
    /// <param name="operation">What was being done, naming the file.</param>
    /// <param name="path">The file.</param>
    /// <param name="kept">What is on disk now, or null.</param>
    /// <returns>The exception to throw.</returns>
    public static VfioFileException From(Exception e, string operation, string path, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e as VfioFileException ?? new VfioFileException(ErrnoOf(e), operation, path, kept, e);
    }

    /// <summary>Runs a file call; a runtime file exception becomes a <see cref="VfioFileException"/>.</summary>
    /// <param name="operation">What is being done, naming the file.</param>
    /// <param name="path">The file.</param>
    /// <param name="action">The call.</param>
    /// <param name="kept">What is on disk if the call fails, or null.</param>
    public static void Run(string operation, string path, Action action, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            action();
        }
        catch (Exception e) when (Is(e))
        {
            throw From(e, operation, path, kept);
        }
    }

    /// <inheritdoc cref="Run(string, string, Action, string?)"/>
    /// <returns>What the call returned.</returns>
    public static T Run<T>(string operation, string path, Func<T> action, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return action();
        }
        catch (Exception e) when (Is(e))
        {
            throw From(e, operation, path, kept);
        }
    }
}
