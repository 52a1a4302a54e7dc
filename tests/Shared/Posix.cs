using System.Text;
using Tmds.Linux;

namespace Vfio.Tests.Support;

// One file, linked into the test projects and tools that plant special files or signal processes (see their .csproj).

/// <summary>The few libc calls the tests need beyond .NET's own API (FIFOs, device nodes, signals, the umask), through
/// Tmds.LibC as the product's own calls are.</summary>
internal static unsafe class Posix
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private const int S_IFCHR = 0x2000;

    /// <summary>mkfifo(3) with mode 0600; 0 or -1.</summary>
    public static int MkFifo(string path)
    {
        fixed (byte* p = Bytes(path))
        {
            return LibC.mkfifo(p, 0x180);
        }
    }

    /// <summary>mknod(2) of a character device, mode 0600; 0 or -1.</summary>
    public static int MkCharDevice(string path, uint major, uint minor)
    {
        fixed (byte* p = Bytes(path))
        {
            return LibC.mknod(p, S_IFCHR | 0x180, (major << 8) | minor);
        }
    }

    /// <summary>kill(2); 0 or -1.</summary>
    public static int Kill(int pid, int signal) => LibC.kill(pid, signal);

    /// <summary>getuid(2).</summary>
    public static uint GetUid() => LibC.getuid();

    /// <summary>umask(2): sets the mask, returns the previous one.</summary>
    public static int Umask(int mask) => (ushort)LibC.umask((ushort)mask);

    /// <summary>
    /// fcntl(F_SETPIPE_SZ) on either end of a pipe: its capacity, which the kernel rounds up to a power-of-two number of
    /// pages. The new capacity, or -1 (EBUSY when more than that is already in the pipe).
    /// </summary>
    public static int SetPipeSize(System.Runtime.InteropServices.SafeHandle pipe, int bytes)
    {
        const int F_SETPIPE_SZ = 1031;
        return LibC.fcntl((int)pipe.DangerousGetHandle(), F_SETPIPE_SZ, bytes);
    }

    /// <summary>The last call's errno.</summary>
    public static int Errno => LibC.errno;

    private static byte[] Bytes(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
