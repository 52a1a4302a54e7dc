namespace Vfio.IO;

/// <summary>
/// Symbolic links for <c>PathResolver</c>, on paths the caller already holds as NUL-terminated UTF-8: the kernel's
/// resolution of a whole path (<see cref="ResolveInKernel"/>), and <c>readlink(2)</c> of one component into the
/// caller's buffer (<see cref="Read"/>), without a string or a <see cref="FileInfo"/> for each.
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
