using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Vfio.Errors;
using Vfio.IO;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// Resolves a path through every symbolic link on it, as <c>realpath(3)</c> does, and refuses a result outside
/// the path's root. sysfs is made of links (<c>mdev_bus/&lt;parent&gt;</c>, <c>devices/&lt;uuid&gt;</c>,
/// <c>mdev_type</c>, <c>iommu_group</c>), so following them is required; a link planted in an emulated or
/// test tree must still not lead a read or write out of it.
/// </summary>
/// <remarks>
/// <para>Nothing is cached: a root or a directory replaced by a link while a long-lived host runs is seen at the next
/// call. An existing path is resolved by the kernel (<see cref="UnixLink.ResolveInKernel"/>: open with
/// <c>O_PATH</c>, read the name back from <c>/proc/self/fd</c>, close: three calls), which follows links exactly as
/// the walk below does; only where the path ends is checked, as there. The root is resolved too (three calls more)
/// unless the resolved path lies below the root as spelled, which proves the root has no link on it.</para>
/// <para>A path the kernel cannot open (missing, a loop, no permission, no <c>/proc</c>) is walked instead, a component
/// at a time, asking each whether it is a link: that walk names the loop, and resolves the existing part of a missing
/// path. It builds the path in one pooled UTF-8 buffer and asks <c>readlink(2)</c> directly (a string and a
/// <see cref="FileInfo"/> per component were a fifth of a native <c>vfioctl list</c>); only a link's target becomes a
/// string. A component that <c>readlink</c> fails on other than "not a link" (missing, no permission) is asked again
/// through <see cref="FileSystemInfo.LinkTarget"/>, so such paths behave, and fail, exactly as they did.</para>
/// </remarks>
internal static class PathResolver
{
    /// <summary>Linux's MAXSYMLINKS: more hops than this is a loop.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>Linux's PATH_MAX: the longest link target readlink returns whole.</summary>
    private const int PathMax = 4096;

    /// <summary>The resolved location of <paramref name="path"/>, below the resolved root.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.PathInvalid"/> when the result leaves the root or links loop.</exception>
    internal static SysfsPath Resolve(SysfsPath path) => Resolve(path, askKernel: true);

    /// <summary>As <see cref="Resolve(SysfsPath)"/>; with <paramref name="askKernel"/> false the path is always walked
    /// (tests compare the two ways on random trees of links).</summary>
    internal static SysfsPath Resolve(SysfsPath path, bool askKernel)
    {
        if (askKernel && TryResolveInKernel(path.FullPath, out string? kernelResolved))
        {
            // A resolved path has no link on it, so if it lies below the root as spelled, the root is its own
            // resolution and needs no call of its own (the usual case: a root given as the canonical path it is).
            if (path.Root == "/" || kernelResolved == path.Root || kernelResolved.StartsWith(path.Root + "/", StringComparison.Ordinal))
            {
                return Confine(path, path.Root, kernelResolved);
            }
            if (TryResolveInKernel(path.Root, out string? kernelRoot))
            {
                return Confine(path, kernelRoot, kernelResolved);
            }
        }
        var walk = new Walker(path);
        try
        {
            walk.Walk(path.Root);
            string realRoot = walk.Current;
            walk.Walk(path.Relative);
            return Confine(path, realRoot, walk.Current);
        }
        finally
        {
            walk.Dispose();
        }
    }

    // The resolved path, relative to the resolved root; refused when it is not below it.
    private static SysfsPath Confine(SysfsPath path, string realRoot, string resolved)
    {
        bool inside = realRoot == "/" || resolved == realRoot || resolved.StartsWith(realRoot + "/", StringComparison.Ordinal);
        if (!inside)
        {
            throw ManagerErrors.PathOutsideRoot(path, resolved);
        }
        string relative = resolved.Length == realRoot.Length ? string.Empty : resolved[(realRoot.Length + (realRoot == "/" ? 0 : 1))..];
        return new SysfsPath(path.Root, relative);
    }

    // The kernel's resolution of an existing path (UnixLink.ResolveInKernel); false for a path it cannot open, which
    // the walk then resolves or explains.
    private static bool TryResolveInKernel(string path, [NotNullWhen(true)] out string? resolved)
    {
        resolved = null;
        int length = Encoding.UTF8.GetByteCount(path);
        if (length + 1 > PathMax)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[PathMax];
        Encoding.UTF8.GetBytes(path, bytes);
        bytes[length] = 0;
        Span<byte> answer = stackalloc byte[PathMax];
        int answered = UnixLink.ResolveInKernel(bytes[..(length + 1)], answer);
        if (answered < 0)
        {
            return false;
        }
        resolved = Encoding.UTF8.GetString(answer[..answered]);
        return true;
    }

    // The path walked so far, absolute, as UTF-8 in a pooled buffer ("/" or "/a/b", no trailing slash), and the text
    // still to walk: a stack of (text, position), the input on the bottom and each link's target pushed over it.
    private struct Walker(SysfsPath input)
    {
        private byte[] _current = ArrayPool<byte>.Shared.Rent(512);
        private int _length;
        private readonly List<(string Text, int At)> _pending = [];

        public readonly string Current => Encoding.UTF8.GetString(_current, 0, _length);

        public void Walk(string text)
        {
            if (_length == 0)
            {
                _current[0] = (byte)'/';
                _length = 1;
            }
            int hops = 0;
            _pending.Add((text, 0));
            Span<byte> target = stackalloc byte[PathMax];
            while (_pending.Count > 0)
            {
                (string pendingText, int at) = _pending[^1];
                if (at >= pendingText.Length)
                {
                    _pending.RemoveAt(_pending.Count - 1);
                    continue;
                }
                int slash = pendingText.IndexOf('/', at);
                int end = slash < 0 ? pendingText.Length : slash;
                _pending[^1] = (pendingText, end + 1);
                ReadOnlySpan<char> segment = pendingText.AsSpan(at, end - at);
                if (segment.IsEmpty || segment is ".")
                {
                    continue;
                }
                if (segment is "..")
                {
                    int parent = _current.AsSpan(0, _length).LastIndexOf((byte)'/');
                    _length = parent <= 0 ? 1 : parent;
                    continue;
                }
                int before = _length;
                Append(segment);
                string? link = LinkTarget(target);
                if (link is null)
                {
                    continue;
                }
                if (++hops > MaxLinkHops)
                {
                    throw ManagerErrors.PathLinksLoop(input, MaxLinkHops);
                }
                // A relative target is read from the link's directory; an absolute one from "/".
                _length = link.StartsWith('/') ? 1 : before;
                _pending.Add((link, 0));
            }
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = [];
        }

        // current + "/" + segment, then a NUL (not counted in the length) for readlink.
        private void Append(ReadOnlySpan<char> segment)
        {
            int needed = _length + 1 + Encoding.UTF8.GetMaxByteCount(segment.Length) + 1;
            if (needed > _current.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 2 * _current.Length));
                _current.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_current);
                _current = larger;
            }
            if (_length > 1)
            {
                _current[_length++] = (byte)'/';
            }
            _length += Encoding.UTF8.GetBytes(segment, _current.AsSpan(_length));
            _current[_length] = 0;
        }

        // The target when the path walked so far is a symbolic link, null when it is not.
        private readonly string? LinkTarget(Span<byte> buffer)
        {
            int length = UnixLink.Read(_current.AsSpan(0, _length + 1), buffer, out int errno);
            if (length >= 0 && length < buffer.Length)
            {
                return Encoding.UTF8.GetString(buffer[..length]);
            }
            if (length < 0 && errno == UnixLink.NotALink)
            {
                return null;
            }
            // Missing, not permitted, or a target as long as PATH_MAX: as FileInfo has always answered (or thrown).
            return new FileInfo(Current).LinkTarget;
        }
    }
}
