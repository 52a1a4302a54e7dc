namespace Vfio.Tests.Reliability;

public sealed class RunnerTests
{
    [Fact]
    public void Unknown_run_is_a_usage_error()
    {
        Assert.Equal(64, RunProgram([]));
        Assert.Equal(64, RunProgram(["no-such-run"]));
    }

    private static int RunProgram(string[] args)
    {
        var main = typeof(Vfio.Reliability.Fuzz.FuzzRun).Assembly.EntryPoint!;
        return (int)main.Invoke(null, [args])!;
    }
}
