using System.Text;
using Vfio.Files;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// <see cref="ISysfs"/> over plain files: the real <c>/sys</c> (root <c>/</c>) or any directory laid out like it.
/// Reads and writes are single system calls, as sysfs expects; links are followed but never out of the root.
/// </summary>
public sealed class RealSysfs : ISysfs
{
    /// <summary>Creates the seam over a layout.</summary>
    /// <param name="layout">The paths; its root is <c>/</c> on a real host.</param>
    public RealSysfs(SysfsLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
    }

    /// <inheritdoc/>
    public SysfsLayout Layout { get; }

    /// <inheritdoc/>
    public string ReadText(SysfsPath path)
    {
        string full = PathResolver.Resolve(path).FullPath;
        try
        {
            return TextFile.ReadAll(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ManagerErrors.SysfsReadFailed(path, e);
        }
    }

    /// <inheritdoc/>
    public void Write(SysfsPath path, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string full = PathResolver.Resolve(path).FullPath;
        try
        {
            // O_TRUNC without O_CREAT: an attribute that does not exist is an error, never a new file. One
            // pwrite at offset 0 because a sysfs store() sees exactly one write's buffer.
            using var handle = File.OpenHandle(full, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, Encoding.UTF8.GetBytes(value), 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ManagerErrors.SysfsWriteFailed(path, value, e.Message, e);

        }
    }

    /// <inheritdoc/>
    public bool Exists(SysfsPath path)
    {
        string full = PathResolver.Resolve(path).FullPath;
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> List(SysfsPath directory)
    {
        string full = PathResolver.Resolve(directory).FullPath;
        if (!Directory.Exists(full))
        {
            return [];
        }
        List<string> names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>().ToList();
        }
        catch (DirectoryNotFoundException)
        {
            // Removed between the check and the listing (a device another process removed): as absent as before.
            return [];
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc/>
    public SysfsPath? Resolve(SysfsPath path)
    {
        SysfsPath resolved = PathResolver.Resolve(path);
        return File.Exists(resolved.FullPath) || Directory.Exists(resolved.FullPath) ? resolved : null;
    }
}
