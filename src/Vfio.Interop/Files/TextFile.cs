using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Vfio.Files;

/// <summary>
/// <see cref="File.ReadAllText(string)"/> for the small files the manager reads by the dozen (sysfs attributes, the
/// emulated host's records, migration journal entries): one open, reads into a pooled buffer until the end of the
/// file, one string. <see cref="File.ReadAllText(string)"/> builds a <see cref="FileStream"/> with its own 4 KiB
/// buffer, a <see cref="StreamReader"/> and a <see cref="StringBuilder"/> for every file, which in a native
/// <c>vfioctl list</c> was most of what the garbage collector had to hand out (and the kernel to fault in).
/// </summary>
/// <remarks>
/// The same open as <see cref="File.ReadAllText(string)"/> (read access, <see cref="FileShare.Read"/>), so the same
/// exceptions for a missing file, a directory or a file without permission. The text is decoded as UTF-8, invalid
/// bytes as U+FFFD, a UTF-8 byte order mark dropped, as <see cref="File.ReadAllText(string)"/> does; a file that starts
/// with a UTF-16 or UTF-32 byte order mark is read by <see cref="File.ReadAllText(string)"/> itself.
/// </remarks>
public static class TextFile
{
    /// <summary>The whole file as text.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Its content.</returns>
    /// <exception cref="IOException">Missing, unreadable (<see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/>, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission, or a directory.</exception>
    public static string ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(checked(2 * buffer.Length));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int n = RandomAccess.Read(handle, buffer.AsSpan(filled), filled);
                if (n == 0)
                {
                    break;
                }
                filled += n;
            }
            ReadOnlySpan<byte> bytes = buffer.AsSpan(0, filled);
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
            {
                return File.ReadAllText(path);
            }
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
            }
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
