
namespace Vfio.Tests.Safety;

// One file, linked into every test project that checks file modes (see their .csproj).

/// <summary>
/// Tests that check the mode of files the code creates set the process umask to 0 first: under the usual 022 a file
/// created with no explicit mode comes out 0644 and one created 0600 as 0600, but under 0 the first is 0666, so only a
/// mode the code asked for itself passes. The umask is process-wide, so these tests run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UmaskCollection
{
    public const string Name = "umask";
}

/// <summary>Sets the umask for the scope (0 unless told otherwise) and restores the previous one.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class UmaskScope : IDisposable
{
    private readonly int _previous;

    public UmaskScope(int mask = 0) => _previous = Support.Posix.Umask(mask);

    public static UmaskScope Open() => new();

    public void Dispose() => Support.Posix.Umask(_previous);

    public static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0x1FF;
}
