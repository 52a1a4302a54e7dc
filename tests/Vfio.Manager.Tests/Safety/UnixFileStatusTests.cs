using Vfio.IO;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager.Safety;

/// <summary>stat/lstat through Tmds.LibC: each kind the safety checks tell apart, and the size, read back correctly
/// (a wrong struct layout would mix up st_mode and st_size).</summary>
public sealed class UnixFileStatusTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vfio-stat-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void EachKind_AndTheSizeOfARegularFile()
    {
        string file = Path.Join(_dir.FullName, "file");
        File.WriteAllBytes(file, new byte[12345]);
        string fifo = Path.Join(_dir.FullName, "fifo");
        Assert.Equal(0, Posix.MkFifo(fifo));
        string link = Path.Join(_dir.FullName, "link");
        File.CreateSymbolicLink(link, file);

        Assert.Equal(new UnixFileStatus(UnixFileKind.Regular, 12345), Stat(file));
        Assert.Equal(UnixFileKind.Fifo, Stat(fifo).Kind);
        Assert.Equal(UnixFileKind.Directory, Stat(_dir.FullName).Kind);
        Assert.Equal(UnixFileKind.CharacterDevice, Stat("/dev/null").Kind);
        Assert.Equal(new UnixFileStatus(UnixFileKind.Regular, 12345), Stat(link));
        Assert.True(UnixFileStatus.TryLstat(link, out UnixFileStatus itself, out _));
        Assert.Equal(UnixFileKind.SymbolicLink, itself.Kind);
        Assert.Equal("a FIFO", Stat(fifo).Describe());
        Assert.Equal("a 12345-byte file", Stat(file).Describe());
    }

    [Fact]
    public void AMissingPath_IsENOENT_AndAFileUsedAsADirectory_ENOTDIR()
    {
        string file = Path.Join(_dir.FullName, "file");
        File.WriteAllText(file, "x");

        Assert.False(UnixFileStatus.TryStat(Path.Join(_dir.FullName, "absent"), out _, out int missing));
        Assert.Equal(2, missing);
        Assert.False(UnixFileStatus.TryLstat(Path.Join(file, "below"), out _, out int notDirectory));
        Assert.Equal(20, notDirectory);
    }

    private static UnixFileStatus Stat(string path)
    {
        Assert.True(UnixFileStatus.TryStat(path, out UnixFileStatus status, out int errno), $"stat {path}: errno {errno}");
        return status;
    }

    [Fact]
    public void UnixLink_ReadsATargetByteForByte_AndTellsNotALinkAndMissingApart()
    {
        string file = Path.Join(_dir.FullName, "file");
        File.WriteAllText(file, "x");
        string link = Path.Join(_dir.FullName, "link");
        File.CreateSymbolicLink(link, "../somewhere/ü");
        Span<byte> target = stackalloc byte[4096];

        int length = UnixLink.Read(Nul(link), target, out int errno);
        Assert.Equal(0, errno);
        Assert.Equal("../somewhere/ü", System.Text.Encoding.UTF8.GetString(target[..length]));

        Assert.Equal(-1, UnixLink.Read(Nul(file), target, out errno));
        Assert.Equal(UnixLink.NotALink, errno);
        Assert.Equal(-1, UnixLink.Read(Nul(Path.Join(_dir.FullName, "missing")), target, out errno));
        Assert.Equal(2, errno); // ENOENT
        Assert.Throws<ArgumentException>(() => UnixLink.Read(System.Text.Encoding.UTF8.GetBytes(link), new byte[16], out _));
    }

    [Fact]
    public void UnixLink_ResolveInKernel_FollowsEveryLinkAndDoesNotWaitOnAFifo_AndAnswersMinusOneForWhatItCannotOpen()
    {
        string real = Path.Join(_dir.FullName, "real");
        Directory.CreateDirectory(Path.Join(real, "d"));
        File.WriteAllText(Path.Join(real, "d", "file"), "x");
        File.CreateSymbolicLink(Path.Join(_dir.FullName, "a"), "real/d");
        File.CreateSymbolicLink(Path.Join(_dir.FullName, "b"), Path.Join(_dir.FullName, "a"));
        string fifo = Path.Join(real, "fifo");
        Assert.Equal(0, Posix.MkFifo(fifo));
        File.CreateSymbolicLink(Path.Join(_dir.FullName, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Join(_dir.FullName, "loop2"), "loop1");
        Span<byte> answer = stackalloc byte[4096];

        int length = UnixLink.ResolveInKernel(Nul(Path.Join(_dir.FullName, "b", "..", "d", "file")), answer);
        Assert.Equal(Path.Join(RealPathOf(_dir.FullName), "real", "d", "file"), System.Text.Encoding.UTF8.GetString(answer[..length]));
        length = UnixLink.ResolveInKernel(Nul(fifo), answer);
        Assert.Equal(Path.Join(RealPathOf(_dir.FullName), "real", "fifo"), System.Text.Encoding.UTF8.GetString(answer[..length]));

        Assert.Equal(-1, UnixLink.ResolveInKernel(Nul(Path.Join(_dir.FullName, "missing")), answer));
        Assert.Equal(-1, UnixLink.ResolveInKernel(Nul(Path.Join(_dir.FullName, "loop1")), answer));
        Assert.Equal(-1, UnixLink.ResolveInKernel(Nul(Path.Join(real, "d", "file")), answer[..4])); // does not fit
    }

    // The temp directory's own path with any link on it followed (TMPDIR may be reached through one).
    private static string RealPathOf(string directory) =>
        new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory;

    private static byte[] Nul(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");
}
