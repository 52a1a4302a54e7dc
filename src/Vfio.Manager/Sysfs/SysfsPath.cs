using System.Diagnostics;
using Vfio.Manager.Names;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// A file or directory below a root (the sysfs root, the emulated host directory or the manifest directory),
/// built one validated segment at a time so that no name from input can step outside the root.
/// </summary>
/// <remarks>
/// The <c>/</c> operator refuses a segment that is empty, <c>.</c> or <c>..</c>, or holds <c>/</c>, NUL,
/// white space or a control character. Symbolic links inside the tree are checked separately, when an
/// <see cref="ISysfs"/> implementation resolves the path.
/// </remarks>
public readonly record struct SysfsPath
{
    private readonly string? _relative;

    /// <summary>Creates a path from a root and a relative path whose segments are each validated.</summary>
    /// <param name="root">The absolute root directory.</param>
    /// <param name="relative">Segments joined by <c>/</c>; empty for the root itself.</param>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when a segment would escape the root or is not a plain name.</exception>
    public SysfsPath(string root, string relative)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
        if (relative.Length > 0)
        {
            foreach (string segment in relative.Split('/'))
            {
                RequireSegment(segment);
            }
        }
        _relative = relative;
    }

    // For a relative path made of segments already checked (an appended segment, a parent): each '/' would otherwise
    // check every segment again, and split the path to do it (allocation that a native vfioctl's start-up pays for).
    private SysfsPath(string root, string relative, bool segmentsChecked)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Debug.Assert(segmentsChecked);
        Root = root;
        _relative = relative;
    }

    /// <summary>The absolute root directory the path is confined to.</summary>
    public string Root { get; }

    /// <summary>The path below <see cref="Root"/>, segments joined by <c>/</c>; empty for the root itself.</summary>
    public string Relative => _relative ?? string.Empty;

    /// <summary>The absolute path (root joined with the relative part), without resolving links.</summary>
    public string FullPath => Relative.Length == 0 ? Root : Path.Join(Root, Relative);

    /// <summary>The last segment (the file or directory name); empty for the root.</summary>
    public string Name
    {
        get
        {
            int slash = Relative.LastIndexOf('/');
            return slash < 0 ? Relative : Relative[(slash + 1)..];
        }
    }

    /// <summary>The directory holding this path; the root is its own parent.</summary>
    public SysfsPath Parent
    {
        get
        {
            int slash = Relative.LastIndexOf('/');
            return new SysfsPath(Root, slash < 0 ? string.Empty : Relative[..slash], segmentsChecked: true);
        }
    }

    /// <summary>Appends one segment.</summary>
    /// <param name="path">The directory.</param>
    /// <param name="segment">One file or directory name.</param>
    /// <returns>The path of the entry inside <paramref name="path"/>.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when the segment would escape the root or is not a plain name.</exception>
    public static SysfsPath operator /(SysfsPath path, string segment)
    {
        // Checked alone first so that a segment containing '/' is named as such, not split.
        RequireSegment(segment);
        return new SysfsPath(path.Root, path.Relative.Length == 0 ? segment : path.Relative + "/" + segment, segmentsChecked: true);
    }

    /// <summary>Appends one segment (the named alternative to the <c>/</c> operator).</summary>
    /// <param name="segment">One file or directory name.</param>
    /// <returns>The path of the entry inside this one.</returns>
    public SysfsPath Divide(string segment) => this / segment;

    /// <summary>The absolute path.</summary>
    /// <returns><see cref="FullPath"/>.</returns>
    public override string ToString() => FullPath;

    private static void RequireSegment(string segment)
    {
        if (NameRules.SegmentProblem(segment) is string problem)
        {
            throw NameRules.Invalid("path segment", segment, problem, "a single file or directory name");
        }
    }
}
