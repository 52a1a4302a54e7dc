using System.Globalization;

namespace Vfio.Errors;

/// <summary>
/// A file system call on a file the project keeps (definitions, the migration journal, the emulated host's device
/// state) or was told to use (<c>save -o</c>) failed. Carries the errno, its C name, the operation and the path, and
/// says what was kept, so a log line alone tells what failed, why, and whether anything was lost.
/// </summary>
/// <remarks>The code follows the errno (<see cref="FileFault.CodeFor"/>): EROFS, EACCES/EPERM, ENOSPC/EDQUOT each have
/// their own, a file of the wrong kind (EISDIR, ELOOP, a FIFO) another, anything else is <see cref="ErrorCode.FileIoFailed"/>.</remarks>
public sealed class VfioFileException : VfioException
{
    /// <summary>Creates the exception for an errno a file call returned.</summary>
    /// <param name="errno">The errno value; 0 when the runtime did not say which.</param>
    /// <param name="operation">What was being done, naming the file, e.g. <c>writing the definition '/etc/mdevctl.d/p/u'</c>.</param>
    /// <param name="path">The file the call was made on.</param>
    /// <param name="kept">What is on disk now, e.g. <c>the old definition is kept</c>; null when nothing was at stake.</param>
    /// <param name="innerException">The runtime's exception, if any.</param>
    public VfioFileException(int errno, string operation, string path, string? kept = null, Exception? innerException = null)
        : this(FileFault.CodeFor(errno), errno, operation, path, kept, innerException)
    {
    }

    /// <summary>Creates the exception with an explicit code (a file of the wrong kind found before any call failed).</summary>
    /// <param name="code">The catalogue code.</param>
    /// <param name="errno">The errno the situation corresponds to (e.g. EISDIR for a directory).</param>
    /// <param name="operation">What was being done, naming the file.</param>
    /// <param name="path">The file.</param>
    /// <param name="kept">What is on disk now; null when nothing was at stake.</param>
    /// <param name="innerException">The runtime's exception, if any.</param>
    public VfioFileException(ErrorCode code, int errno, string operation, string path, string? kept = null, Exception? innerException = null)
        : base(code, FormatMessage(errno, operation, kept), innerException)
    {
        Errno = errno;
        ErrnoName = errno == 0 ? "unknown errno" : Interop.Errno.Name(errno);
        Operation = operation;
        Path = path;
        Kept = kept;
        Value = path;
    }

    /// <summary>The errno value; 0 when the runtime did not say which.</summary>
    public int Errno { get; }

    /// <summary>The C name of <see cref="Errno"/>, e.g. <c>ENOSPC</c>.</summary>
    public string ErrnoName { get; }

    /// <summary>What was being done, naming the file.</summary>
    public string Operation { get; }

    /// <summary>The file the failing call was made on.</summary>
    public string Path { get; }

    /// <summary>What is on disk after the failure, or null.</summary>
    public string? Kept { get; }

    private static string FormatMessage(int errno, string operation, string? kept)
    {
        string reason = errno == 0
            ? "an I/O error the runtime did not name"
            : string.Create(CultureInfo.InvariantCulture, $"{Interop.Errno.Name(errno)} ({errno}): {Interop.Errno.Message(errno)}");
        return kept is null ? $"{operation} failed: {reason}" : $"{operation} failed: {reason}; {kept}";
    }
}
