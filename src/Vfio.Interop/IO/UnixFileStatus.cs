using System.Text;
using Tmds.Linux;

namespace Vfio.IO;

/// <summary>What a file is, from its mode bits (<c>S_IFMT</c>).</summary>
public enum UnixFileKind
{
    /// <summary>S_IFREG.</summary>
    Regular,
    /// <summary>S_IFDIR.</summary>
    Directory,
    /// <summary>S_IFLNK (only from lstat).</summary>
    SymbolicLink,
    /// <summary>S_IFIFO.</summary>
    Fifo,
    /// <summary>S_IFCHR.</summary>
    CharacterDevice,
    /// <summary>S_IFBLK.</summary>
    BlockDevice,
    /// <summary>S_IFSOCK.</summary>
    Socket,
    /// <summary>Any other S_IFMT value.</summary>
    Unknown,
}

/// <summary>
/// <c>stat(2)</c>/<c>lstat(2)</c> of a path without opening it (opening a FIFO planted where a document belongs would
/// block until a writer came). Through Tmds.LibC, which binds libc directly: no native helper library beside the
/// binary, so a single-file or NativeAOT vfioctl runs alone.
/// </summary>
public readonly record struct UnixFileStatus(UnixFileKind Kind, long Size)
{
    /// <summary>The status of <paramref name="path"/>, following a final symbolic link.</summary>
    /// <param name="path">The path.</param>
    /// <param name="status">Its status, when the call succeeded.</param>
    /// <param name="errno">The call's errno, when it failed.</param>
    /// <returns>True with the status; false with <paramref name="errno"/> when the call failed (ENOENT: nothing there).</returns>
    public static bool TryStat(string path, out UnixFileStatus status, out int errno) => Query(path, follow: true, out status, out errno);

    /// <summary>The status of <paramref name="path"/> itself (a symbolic link is reported as one).</summary>
    /// <param name="path">The path.</param>
    /// <param name="status">Its status, when the call succeeded.</param>
    /// <param name="errno">The call's errno, when it failed.</param>
    /// <returns>True with the status; false with <paramref name="errno"/> when the call failed (ENOENT: nothing there).</returns>
    public static bool TryLstat(string path, out UnixFileStatus status, out int errno) => Query(path, follow: false, out status, out errno);

    /// <summary>"a FIFO", "a directory", ... for messages; a regular file is "a N-byte file".</summary>
    /// <returns>The kind in words.</returns>
    public string Describe() => Kind switch
    {
        UnixFileKind.Fifo => "a FIFO",
        UnixFileKind.Directory => "a directory",
        UnixFileKind.SymbolicLink => "a symbolic link",
        UnixFileKind.CharacterDevice => "a character device",
        UnixFileKind.BlockDevice => "a block device",
        UnixFileKind.Socket => "a socket",
        UnixFileKind.Regular => $"a {Size}-byte file",
        _ => "a file of unknown kind",
    };

    private static unsafe bool Query(string path, bool follow, out UnixFileStatus status, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int length = Encoding.UTF8.GetByteCount(path);
        byte[] bytes = new byte[length + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        stat buffer;
        int result;
        fixed (byte* p = bytes)
        {
            result = follow ? LibC.stat(p, &buffer) : LibC.lstat(p, &buffer);
        }
        if (result != 0)
        {
            errno = LibC.errno;
            status = default;
            return false;
        }
        errno = 0;
        status = new UnixFileStatus(KindOf((int)buffer.st_mode), (long)buffer.st_size);
        return true;
    }

    private static UnixFileKind KindOf(int mode) => (mode & 0xf000) switch
    {
        0x8000 => UnixFileKind.Regular,
        0x4000 => UnixFileKind.Directory,
        0xa000 => UnixFileKind.SymbolicLink,
        0x1000 => UnixFileKind.Fifo,
        0x2000 => UnixFileKind.CharacterDevice,
        0x6000 => UnixFileKind.BlockDevice,
        0xc000 => UnixFileKind.Socket,
        _ => UnixFileKind.Unknown,
    };
}

/// <summary><c>poll(2)</c> of one descriptor: what <c>vfioctl</c>'s Ctrl-C-interruptible pipes wait with.</summary>
public static class UnixPoll
{
    /// <summary>POLLIN: the descriptor has data to read (or its writer closed).</summary>
    public const short Readable = Interop.Libc.POLLIN;

    /// <summary>POLLOUT: the descriptor can be written without blocking.</summary>
    public const short Writable = Interop.Libc.POLLOUT;

    /// <summary>Waits at most <paramref name="milliseconds"/> until <paramref name="descriptor"/> is ready for <paramref name="events"/>.</summary>
    /// <param name="descriptor">The file descriptor.</param>
    /// <param name="events"><see cref="Readable"/> or <see cref="Writable"/>.</param>
    /// <param name="milliseconds">The longest wait.</param>
    /// <param name="errno">The call's errno when it failed (EINTR: a signal arrived).</param>
    /// <returns>Positive when ready (or in error or hung up: the read or write then reports it), 0 on timeout, -1 on failure.</returns>
    public static unsafe int Wait(int descriptor, short events, int milliseconds, out int errno)
    {
        // Tmds.LibC's pollfd (its layout is checked against <poll.h> by the ABI test), through this assembly's own poll
        // binding: Tmds.LibC's poll does not keep errno (docs/abi.md), and EINTR is what a Ctrl-C'd wait must report.
        var fd = new Tmds.Linux.pollfd { fd = descriptor, events = events };
        int ready = Interop.Libc.poll(&fd, 1, milliseconds);
        errno = ready < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
        return ready;
    }

    /// <summary>EINTR, the errno of a wait a signal interrupted.</summary>
    public const int Interrupted = 4;
}

/// <summary>
/// <c>readlink(2)</c> of a path the caller already holds as NUL-terminated UTF-8, into the caller's buffer: what a
/// resolver that checks every component of a path for a link calls once per component, without a string or a
/// <see cref="FileInfo"/> for each.
/// </summary>
public static class UnixLink
{
    /// <summary>EINVAL: the path exists and is not a symbolic link.</summary>
    public const int NotALink = 22;

    /// <summary>Reads the target of the symbolic link at <paramref name="path"/>.</summary>
    /// <param name="path">The path in UTF-8, ending with a NUL byte.</param>
    /// <param name="target">Receives the target's bytes (not NUL-terminated); a target that fills it may be cut short.</param>
    /// <param name="errno">The call's errno when it failed: <see cref="NotALink"/>, ENOENT, EACCES, ENOTDIR...</param>
    /// <returns>The target's length in bytes, or -1 with <paramref name="errno"/>.</returns>
    /// <exception cref="ArgumentException">The path does not end with a NUL byte.</exception>
    public static unsafe int Read(ReadOnlySpan<byte> path, Span<byte> target, out int errno)
    {
        if (path.IsEmpty || path[^1] != 0)
        {
            throw new ArgumentException("the path must end with a NUL byte", nameof(path));
        }
        nint length;
        fixed (byte* p = path)
        fixed (byte* t = target)
        {
            length = Interop.Libc.readlink(p, t, (nuint)target.Length);
        }
        errno = length < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
        return (int)length;
    }

    /// <summary>
    /// Where <paramref name="path"/> leads once the kernel has followed every link on it, as <c>realpath(3)</c>
    /// answers, in three calls instead of one <c>readlink</c> per component: the path is opened with <c>O_PATH</c>
    /// (no access to the file's contents, nothing happens to it, a FIFO does not block) and the kernel's name for the
    /// open file is read back from <c>/proc/self/fd</c>.
    /// </summary>
    /// <param name="path">The path in UTF-8, ending with a NUL byte.</param>
    /// <param name="resolved">Receives the absolute resolved path (not NUL-terminated).</param>
    /// <returns>
    /// Its length in bytes; -1 when the kernel could not open the path (missing, a link loop, no permission), when
    /// <c>/proc</c> is not mounted, or when the answer does not fit or is not a plain absolute path. The caller then
    /// resolves the path the long way, which says what is wrong.
    /// </returns>
    /// <exception cref="ArgumentException">The path does not end with a NUL byte.</exception>
    public static unsafe int ResolveInKernel(ReadOnlySpan<byte> path, Span<byte> resolved)
    {
        if (path.IsEmpty || path[^1] != 0)
        {
            throw new ArgumentException("the path must end with a NUL byte", nameof(path));
        }
        int fd;
        fixed (byte* p = path)
        {
            fd = Tmds.Linux.LibC.open(p, Tmds.Linux.LibC.O_PATH | Tmds.Linux.LibC.O_CLOEXEC, 0);
        }
        if (fd < 0)
        {
            return -1;
        }
        try
        {
            Span<byte> procPath = stackalloc byte[32];
            ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
            prefix.CopyTo(procPath);
            fd.TryFormat(procPath[prefix.Length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
            procPath[prefix.Length + digits] = 0;
            int length = Read(procPath[..(prefix.Length + digits + 1)], resolved, out _);
            // A file unlinked after the open is named "<path> (deleted)": not an answer to use.
            if (length <= 0 || length >= resolved.Length || resolved[0] != (byte)'/' || resolved[..length].EndsWith(" (deleted)"u8))
            {
                return -1;
            }
            return length;
        }
        finally
        {
            // An O_PATH descriptor has nothing to flush: close cannot lose data, and there is nothing to do if it fails.
            _ = Tmds.Linux.LibC.close(fd);
        }
    }
}
