namespace Vfio.Tests.Manager;

/// <summary>A temporary directory that tests lay files out in, deleted afterwards.</summary>
internal sealed class TempTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mdev-manager-test-").FullName;

    public string PathOf(string relative) => Path.Join(Root, relative);

    public TempTree File(string relative, string content)
    {
        string full = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return this;
    }

    public TempTree Dir(string relative)
    {
        Directory.CreateDirectory(PathOf(relative));
        return this;
    }

    public TempTree Link(string relative, string target)
    {
        string full = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.CreateSymbolicLink(full, target);
        return this;
    }

    public string Read(string relative) => System.IO.File.ReadAllText(PathOf(relative));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
