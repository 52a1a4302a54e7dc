using Vfio.Tests.Safety;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>A migration stream saved to a file is the device's state: it is created 0600 whatever the umask.</summary>
[Collection(UmaskCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StreamFileModeTests : IDisposable
{
    private const string Uuid = "a0000000-0000-4000-8000-0000000000aa";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task Save_creates_the_stream_file_owner_only_even_under_umask_0()
    {
        // Regression: the .partial file was created 0666 less the umask (0644 usually), readable by every user.
        CliResult start = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Uuid, "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=2"]);
        Assert.True(start.ExitCode == 0, start.Err);
        string output = Path.Join(_hosts.Root, "stream.bin");

        CliResult save;
        using (new UmaskScope())
        {
            save = await Cli.RunAsync(["--emulated", _hosts.HostA, "save", Uuid, "-o", output]);
        }

        Assert.True(save.ExitCode == 0, save.Err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, UmaskScope.ModeOf(output));
    }

    [Fact]
    public async Task Definitions_written_by_define_are_owner_only_even_under_umask_0()
    {
        CliResult define;
        using (new UmaskScope())
        {
            define = await Cli.RunAsync(["--emulated", _hosts.HostA, "define", "-u", Uuid, "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=2"]);
        }

        Assert.True(define.ExitCode == 0, define.Err);
        string file = Path.Join(_hosts.HostA, "etc", "mdevctl.d", "0000:00:03.0", Uuid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, UmaskScope.ModeOf(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, UmaskScope.ModeOf(Path.GetDirectoryName(file)!));
    }
}
