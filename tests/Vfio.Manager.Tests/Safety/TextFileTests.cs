using System.Text;
using Vfio.Files;

namespace Vfio.Tests.Manager.Safety;

/// <summary><see cref="TextFile.ReadAll"/> answers what <see cref="File.ReadAllText(string)"/> answers, text and failures.</summary>
public sealed class TextFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vfio-textfile-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string, byte[]> Contents => new()
    {
        { "empty", [] },
        { "a sysfs attribute", Encoding.ASCII.GetBytes("mynic-4q\n") },
        { "UTF-8 with a byte order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("ü\n")] },
        { "invalid UTF-8", [0x61, 0xC3, 0x28, 0xFF, 0x62] },
        { "UTF-16 LE with its byte order mark", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("wide")] },
        { "UTF-16 BE with its byte order mark", [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes("wide")] },
        { "exactly one pooled buffer", Enumerable.Repeat((byte)'x', 4096).ToArray() },
        { "several buffers, a multi-byte character across a boundary", [.. Enumerable.Repeat((byte)'y', 4095), .. Encoding.UTF8.GetBytes("€"), .. Enumerable.Repeat((byte)'z', 70_000)] },
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void ReadAll_EqualsFileReadAllText(string what, byte[] content)
    {
        string path = Path.Join(_dir.FullName, "file");
        File.WriteAllBytes(path, content);

        Assert.True(File.ReadAllText(path) == TextFile.ReadAll(path), what);
    }

    [Fact]
    public void ReadAll_FailsAsFileReadAllTextFails()
    {
        string missing = Path.Join(_dir.FullName, "missing");
        string underMissing = Path.Join(_dir.FullName, "no-such-dir", "file");

        Assert.Equal(Assert.ThrowsAny<Exception>(() => File.ReadAllText(missing)).GetType(), Assert.ThrowsAny<Exception>(() => TextFile.ReadAll(missing)).GetType());
        Assert.IsType<FileNotFoundException>(Assert.ThrowsAny<Exception>(() => TextFile.ReadAll(missing)));
        Assert.Equal(Assert.ThrowsAny<Exception>(() => File.ReadAllText(underMissing)).GetType(), Assert.ThrowsAny<Exception>(() => TextFile.ReadAll(underMissing)).GetType());
        Assert.Equal(Assert.ThrowsAny<Exception>(() => File.ReadAllText(_dir.FullName)).GetType(), Assert.ThrowsAny<Exception>(() => TextFile.ReadAll(_dir.FullName)).GetType());
    }
}
