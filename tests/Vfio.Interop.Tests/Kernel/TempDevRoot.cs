namespace Vfio.Tests.Kernel;

/// <summary>A temporary directory laid out like /dev/vfio, holding whatever nodes a test puts there.</summary>
internal sealed class TempDevRoot : IDisposable
{
    public TempDevRoot()
    {
        Directory.CreateDirectory(Path.Combine(Root, "vfio"));
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("vfio-dev-").FullName;

    public Vfio.Kernel.VfioPaths Paths => new() { DevRoot = Root };

    /// <summary>Makes <c>vfio/&lt;name&gt;</c> a symbolic link to another file, e.g. /dev/null.</summary>
    public string LinkNode(string name, string target)
    {
        string path = Path.Combine(Root, "vfio", name);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>Makes <c>vfio/&lt;name&gt;</c> a regular file.</summary>
    public string FileNode(string name, byte[]? content = null)
    {
        string path = Path.Combine(Root, "vfio", name);
        File.WriteAllBytes(path, content ?? []);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
