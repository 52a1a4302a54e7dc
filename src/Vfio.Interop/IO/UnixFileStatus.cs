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
