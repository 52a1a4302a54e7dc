using Mono.Unix.Native;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>
/// Tests that check the mode of a file vfioctl creates set the umask to 0: a file created without an explicit mode
/// then comes out 0666, so only a mode the code asked for passes. The umask is process-wide, so these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UmaskCollection
{
    public const string Name = "umask";
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class UmaskScope : IDisposable
{
    private readonly FilePermissions _previous = Syscall.umask(0);

    public void Dispose() => Syscall.umask(_previous);

    public static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0x1FF;
}
