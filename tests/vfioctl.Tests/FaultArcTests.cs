using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Regression (fuzz run, docs/reliability.md): <c>fault --refuse-arc</c> read states with Enum.TryParse, so a number
/// ("3->1") or a list ("STOP,RUNNING->STOP", OR-ed into STOP_COPY) armed an arc the user never named.
/// </summary>
public sealed class FaultArcTests : IDisposable
{
    private const string Device = "a0000000-0000-4000-8000-0000000000cc";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Theory]
    [InlineData("3->1")]
    [InlineData("STOP,RUNNING->STOP")]
    [InlineData("RUNNING->2")]
    public async Task An_arc_that_names_no_state_is_a_usage_error(string arc)
    {
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=1"]);
        Assert.True(started.ExitCode == 0, started.Err);

        CliResult fault = await Cli.RunAsync(["--emulated", _hosts.HostA, "fault", Device, "--refuse-arc", arc]);

        Assert.NotEqual(0, fault.ExitCode);
        Assert.StartsWith("error E7001", fault.Err, StringComparison.Ordinal);
        Assert.Contains(arc, fault.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_arc_of_state_names_in_any_case_is_armed()
    {
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=1"]);
        Assert.True(started.ExitCode == 0, started.Err);

        CliResult fault = await Cli.RunAsync(["--emulated", _hosts.HostA, "fault", Device, "--refuse-arc", "running->STOP_COPY"]);

        Assert.True(fault.ExitCode == 0, fault.Err);
    }
}
