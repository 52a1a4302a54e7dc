using Vfio.Errors;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// Resolves a path through every symbolic link on it, as <c>realpath(3)</c> does, and refuses a result outside
/// the path's root. sysfs is made of links (<c>mdev_bus/&lt;parent&gt;</c>, <c>devices/&lt;uuid&gt;</c>,
/// <c>mdev_type</c>, <c>iommu_group</c>), so following them is required; a link planted in an emulated or
/// test tree must still not lead a read or write out of it.
/// </summary>
internal static class PathResolver
{
    /// <summary>Linux's MAXSYMLINKS: more hops than this is a loop.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>The resolved location of <paramref name="path"/>, below the resolved root.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.PathInvalid"/> when the result leaves the root or links loop.</exception>
    internal static SysfsPath Resolve(SysfsPath path)
    {
        string realRoot = Walk("/", path.Root.Split('/'), path);
        string resolved = Walk(realRoot, path.Relative.Split('/'), path);
        bool inside = realRoot == "/" || resolved == realRoot || resolved.StartsWith(realRoot + "/", StringComparison.Ordinal);
        if (!inside)
        {
            throw ManagerErrors.PathOutsideRoot(path, resolved);
        }
        string relative = resolved.Length == realRoot.Length ? string.Empty : resolved[(realRoot.Length + (realRoot == "/" ? 0 : 1))..];
        return new SysfsPath(path.Root, relative);
    }

    private static string Walk(string start, string[] segments, SysfsPath input)
    {
        var pending = new Stack<string>();
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
        string current = start;
        int hops = 0;
        while (pending.Count > 0)
        {
            string segment = pending.Pop();
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            string next = current == "/" ? "/" + segment : current + "/" + segment;
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxLinkHops)
            {
                throw ManagerErrors.PathLinksLoop(input, MaxLinkHops);

            }
            string[] targetSegments = target.Split('/');
            for (int i = targetSegments.Length - 1; i >= 0; i--)
            {
                pending.Push(targetSegments[i]);
            }
            if (target.StartsWith('/'))
            {
                current = "/";
            }
        }
        return current;
    }
}
