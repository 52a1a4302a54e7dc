using Vfio.Manager.Emulation;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// The one seam between the manager and the files it manages: the real <c>/sys</c> (<see cref="RealSysfs"/>)
/// or the emulated host (<see cref="EmulatedSysfs"/>), which performs in files what the kernel would do.
/// </summary>
/// <remarks>
/// Paths come from <see cref="SysfsLayout"/>. Implementations resolve symbolic links and refuse any path whose
/// resolved location leaves its root (<see cref="Vfio.Errors.ErrorCode.PathInvalid"/>). Text is parsed by
/// <see cref="SysfsAttributes"/>, never by callers.
/// </remarks>
public interface ISysfs
{
    /// <summary>Where every path lives.</summary>
    SysfsLayout Layout { get; }

    /// <summary>Reads a whole attribute file as the kernel printed it (usually one line and a newline).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The content.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.PathInvalid"/> when the path resolves outside its root;
    /// <see cref="Vfio.Errors.ErrorCode.KernelCallFailed"/> when the file cannot be read.</exception>
    string ReadText(SysfsPath path);

    /// <summary>Writes a value to an existing attribute in one write, exactly as given (no newline is added).</summary>
    /// <param name="path">The attribute.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.PathInvalid"/> when the path resolves outside its root;
    /// <see cref="Vfio.Errors.ErrorCode.KernelCallFailed"/> when the write is refused.</exception>
    void Write(SysfsPath path, string value);

    /// <summary>Whether a file or directory exists at the path (following links).</summary>
    /// <param name="path">The path.</param>
    /// <returns>True when it exists.</returns>
    bool Exists(SysfsPath path);

    /// <summary>The names of the entries of a directory, sorted ordinally; empty when the directory does not exist.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>The entry names.</returns>
    IReadOnlyList<string> List(SysfsPath directory);

    /// <summary>Resolves a path through every symbolic link on it.</summary>
    /// <param name="path">The path, often a link such as a device's <c>mdev_type</c>.</param>
    /// <returns>The resolved location below the same root, or null when nothing exists there.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.PathInvalid"/> when it resolves outside its root.</exception>
    SysfsPath? Resolve(SysfsPath path);
}
