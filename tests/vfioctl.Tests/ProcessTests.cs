using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>The built CLI as an operator runs it: separate processes, real pipes, real exit codes.</summary>
public sealed class ProcessTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "c0000000-0000-4000-8000-000000000001";
    private const string Destination = "c0000000-0000-4000-8000-000000000002";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task Demo_exits_0_and_tells_its_story()
    {
        CliResult demo = await BuiltCli.RunAsync("demo");

        Assert.True(demo.ExitCode == 0, demo.Err);
        Assert.Contains("E3002 parameter-unknown-to-destination", demo.Out, StringComparison.Ordinal);
        Assert.Contains("-> host-b: compatible", demo.Out, StringComparison.Ordinal);
        Assert.Matches(@"(\d+) of \1 shared fields equal", demo.Out);
        Assert.Contains("rolled back: source b0000000-0000-4000-8000-000000000001 RUNNING, destination removed", demo.Out, StringComparison.Ordinal);
        Assert.Contains("demo complete", demo.Out, StringComparison.Ordinal);
        // The progress lines are part of the story (issue 21), in order on stdout; stderr stays empty.
        Assert.Contains("   migrate: stop-copy", demo.Out, StringComparison.Ordinal);
        Assert.Empty(demo.Err);
    }

    [Fact]
    public async Task Save_piped_into_load_moves_a_device_between_two_processes()
    {
        string a = _hosts.HostA;
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "traffic", Source, "-n", "800", "--seed", "5"])).ExitCode);
        string before = Fields((await Cli.RunAsync(["--emulated", a, "describe", Source, "--state"])).Out);

        CliResult pipe = await BuiltCli.PipelineAsync(
            $"$VFIOCTL --emulated '{a}' save {Source} | $VFIOCTL --emulated '{a}' load {Destination} -p {Parent} -t {Type}");

        Assert.True(pipe.ExitCode == 0, pipe.Err);
        Assert.Contains($"{Destination} loaded", pipe.Out, StringComparison.Ordinal);
        Assert.Equal(before, Fields((await Cli.RunAsync(["--emulated", a, "describe", Destination, "--state"])).Out));
        Assert.Contains("state         STOP", (await Cli.RunAsync(["--emulated", a, "describe", Source])).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_error_class_has_its_exit_code_and_message()
    {
        string a = _hosts.HostA;
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);

        CliResult usage = await BuiltCli.RunAsync("migrate", Source);
        CliResult incompatible = await BuiltCli.RunAsync("--emulated", a, "check", "-u", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);
        CliResult stream = await BuiltCli.PipelineAsync($"echo not-a-stream | $VFIOCTL --emulated '{a}' load {Destination} -p {Parent} -t {Type}");
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "fault", Source, "--refuse-arc", "STOP->STOP_COPY"])).ExitCode);
        CliResult device = await BuiltCli.RunAsync("--emulated", a, "save", Source, "--no-precopy", "-o", Path.Join(_hosts.Root, "s.bin"));
        CliResult other = await BuiltCli.RunAsync("--emulated", a, "describe", Destination);

        AssertError(usage, 64, "E7001 usage-error");
        Assert.Equal(2, incompatible.ExitCode);
        Assert.Contains("E3002 parameter-unknown-to-destination", incompatible.Out, StringComparison.Ordinal);
        AssertError(stream, 4, "E500");
        AssertError(device, 3, "E4");
        AssertError(other, 1, "E6005 device-not-found");
        Assert.False(File.Exists(Path.Join(_hosts.Root, "s.bin")));
    }

    private static void AssertError(CliResult result, int exitCode, string code)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, expected {exitCode}: {result.Err}");
        string line = result.Err.Split('\n').First(l => l.StartsWith("error ", StringComparison.Ordinal));
        Assert.StartsWith("error " + code, line, StringComparison.Ordinal);
        Assert.Contains("see docs/errors.md#e", result.Err, StringComparison.Ordinal);
    }

    private static string Fields(string describe) =>
        string.Join('\n', describe.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("Field", StringComparison.Ordinal)));
}
