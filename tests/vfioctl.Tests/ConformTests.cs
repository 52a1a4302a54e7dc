using System.Text.Json;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary><c>vfioctl conform</c> end to end on an emulated host: the table, --json, the exit codes, a busy device.</summary>
public sealed class ConformTests : IDisposable
{
    private const string Device = "c0f00000-0000-4000-8000-000000000001";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private async Task Start()
    {
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=3"]);
        Assert.True(started.ExitCode == 0, started.Err);
        CliResult traffic = await Cli.RunAsync(["--emulated", _hosts.HostA, "traffic", Device, "-n", "50"]);
        Assert.True(traffic.ExitCode == 0, traffic.Err);
    }

    [Fact]
    public async Task A_healthy_device_passes_with_a_table_and_exit_0()
    {
        await Start();

        CliResult result = await Cli.RunAsync(["--emulated", _hosts.HostA, "conform", Device]);

        Assert.True(result.ExitCode == 0, result.Out + result.Err);
        string[] lines = result.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("CHECK ", StringComparison.Ordinal) && l.Contains("RESULT", StringComparison.Ordinal) && l.Contains("DETAIL", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("arc:PRE_COPY_P2P->STOP_COPY ", StringComparison.Ordinal) && l.Contains(" pass ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("stop-copy-eof ", StringComparison.Ordinal) && l.Contains(" pass ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("result   pass", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" fail ", StringComparison.Ordinal));
        // Left as found: RUNNING, so a migration verb still takes it.
        CliResult describe = await Cli.RunAsync(["--emulated", _hosts.HostA, "describe", Device, "--open"]);
        Assert.Contains("state         RUNNING", describe.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_gives_one_document_with_every_check()
    {
        await Start();

        CliResult result = await Cli.RunAsync(["--emulated", _hosts.HostA, "conform", Device, "--json"]);

        Assert.True(result.ExitCode == 0, result.Err);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(Device, root.GetProperty("device").GetString());
        Assert.Equal("v2", root.GetProperty("protocol").GetString());
        Assert.Equal("STOP_COPY|P2P|PRE_COPY", root.GetProperty("flags").GetString());
        Assert.True(root.GetProperty("passed").GetBoolean());
        JsonElement[] checks = [.. root.GetProperty("checks").EnumerateArray()];
        Assert.Equal(checks.Length, root.GetProperty("summary").EnumerateObject().Sum(p => p.Value.GetInt32()));
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "arc:STOP->STOP_COPY" && c.GetProperty("result").GetString() == "pass");
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "saved-streams-load" && c.GetProperty("result").GetString() == "skip");
        Assert.All(checks, c => Assert.Contains(c.GetProperty("result").GetString(), new[] { "pass", "warn", "skip" }));
    }

    [Fact]
    public async Task A_broken_driver_fails_with_exit_5_naming_the_check()
    {
        await Start();
        CliResult fault = await Cli.RunAsync(["--emulated", _hosts.HostA, "fault", Device, "--driver-bug", "no-data-fd-on-stop-copy"]);
        Assert.True(fault.ExitCode == 0, fault.Err);

        CliResult result = await Cli.RunAsync(["--emulated", _hosts.HostA, "conform", Device]);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains(result.Out.Split('\n'), l => l.StartsWith("data-fd-per-arc ", StringComparison.Ordinal) && l.Contains(" fail ", StringComparison.Ordinal)
            && l.Contains("STOP -> STOP_COPY returned no data_fd", StringComparison.Ordinal));
        Assert.Contains(result.Err.Split('\n'), l => l.StartsWith("error E4011 conformance-failed: ", StringComparison.Ordinal));
        Assert.StartsWith($"conform {Device}: destructive checks", result.Err, StringComparison.Ordinal);
        Assert.Contains("data-fd-per-arc", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_driver_bug_is_a_usage_error()
    {
        await Start();

        CliResult fault = await Cli.RunAsync(["--emulated", _hosts.HostA, "fault", Device, "--driver-bug", "7"]);

        Assert.Equal(64, fault.ExitCode);
        Assert.Contains("no-data-fd-on-stop-copy", fault.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saved_streams_of_the_device_load_and_others_are_listed_as_not_for_it()
    {
        await Start();
        string streams = Path.Join(_hosts.Root, "streams");
        Directory.CreateDirectory(streams);
        CliResult saved = await Cli.RunAsync(["--emulated", _hosts.HostA, "save", Device, "-o", Path.Join(streams, "own.bin")]);
        Assert.True(saved.ExitCode == 0, saved.Err);
        CliResult resumed = await Cli.RunAsync(["--emulated", _hosts.HostA, "resume", "--force", Device]);
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        File.Copy(Path.Join(Golden.RepositoryRoot(), "tests", "testdata", "streams", "envelope-3-chunks.bin"), Path.Join(streams, "other.bin"));

        CliResult result = await Cli.RunAsync(["--emulated", _hosts.HostA, "conform", Device, "--json", "--streams", streams]);

        Assert.True(result.ExitCode == 0, result.Out + result.Err);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement check = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "saved-streams-load");
        Assert.Equal("pass", check.GetProperty("result").GetString());
        Assert.Contains("1 stream(s) loaded", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("other.bin: E5007", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_open_elsewhere_is_refused_without_touching_it()
    {
        await Start();
        // The host's own plug-in (the samples beside vfioctl), as another process would open the device.
        var opener = new EmulatedHost(_hosts.HostA, new EmulatedHostOptions { LockTimeout = TimeSpan.FromSeconds(5) }).Opener;
        using (opener.Open(MdevUuid.Parse(Device)))
        {
            CliResult result = await Cli.RunAsync(["--emulated", _hosts.HostA, "conform", Device]);

            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("error E6017 device-state-conflict: ", result.Err, StringComparison.Ordinal);
            Assert.Contains("open elsewhere", result.Err, StringComparison.Ordinal);
            Assert.Equal("", result.Out);
        }
    }
}
