using System.Runtime.InteropServices;

namespace Vfio.IO;

/// <summary>
/// The capacity of a pipe or FIFO (<c>F_GETPIPE_SZ</c>, <c>F_SETPIPE_SZ</c>). A Linux pipe holds 64 KiB unless asked
/// for more; a migration stream moves in 1 MiB chunks, so through a default pipe every chunk costs the writer and
/// the reader sixteen or more sleeps and wake-ups each. Grown to a chunk, a pipe takes a chunk per wake-up
/// (docs/benchmarks.md, "Pipes grown to a chunk").
/// </summary>
public static class UnixPipe
{
    /// <summary>The capacity a migration stream's pipe is grown to: one default chunk (1 MiB), which is also Linux's
    /// default <c>/proc/sys/fs/pipe-max-size</c>, so an unprivileged user may ask for it.</summary>
    public const int StreamCapacity = 1 << 20;

    /// <summary>The capacity of the pipe behind <paramref name="handle"/>.</summary>
    /// <param name="handle">An open descriptor.</param>
    /// <returns>Its capacity in bytes, or null when the descriptor is not a pipe or FIFO.</returns>
    public static int? Capacity(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        int size = Interop.Libc.fcntl(handle, Interop.Libc.F_GETPIPE_SZ, 0);
        return size > 0 ? size : null;
    }

    /// <summary>The capacity Linux gives a new pipe: 16 pages (64 KiB with 4 KiB pages).</summary>
    public static int DefaultCapacity => 16 * Environment.SystemPageSize;

    /// <summary>
    /// Grows the pipe behind <paramref name="handle"/> to <paramref name="bytes"/> when it is a pipe or FIFO that still
    /// has the kernel's <see cref="DefaultCapacity"/> and holds less. A pipe another program has sized, smaller or
    /// larger, is left as it was sized, and a descriptor that is not a pipe (a file, a terminal, a socket) is left
    /// alone. A pipe the kernel will not grow also stays as it was: past <c>/proc/sys/fs/pipe-max-size</c> without
    /// CAP_SYS_RESOURCE, or over the user's share of pipe memory (<c>pipe-user-pages-soft</c>), F_SETPIPE_SZ fails
    /// with EPERM and the stream runs at the old size, only slower; nothing is lost.
    /// </summary>
    /// <param name="handle">An open descriptor; the other end of its pipe sees the same capacity.</param>
    /// <param name="bytes">The capacity wanted; the kernel rounds it up to a power-of-two number of pages.</param>
    /// <returns>The capacity afterwards, or null when the descriptor is not a pipe or FIFO.</returns>
    public static int? TryGrow(SafeHandle handle, int bytes = StreamCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        int? capacity = Capacity(handle);
        if (capacity is not int current || current != DefaultCapacity || current >= bytes)
        {
            return capacity;
        }
        int grown = Interop.Libc.fcntl(handle, Interop.Libc.F_SETPIPE_SZ, bytes);
        return grown > 0 ? grown : current;
    }
}
