using System.Diagnostics;

namespace Vfio.Tests.Vfioctl.Support;

/// <summary>The built vfioctl.dll (copied next to this test assembly by the project reference), run as a real process.</summary>
internal static class BuiltCli
{
    /// <summary>Names another vfioctl.dll to run as the child process (e.g. one built from an older commit, to show that
    /// a regression test fails there); unset in normal runs.</summary>
    public const string OverrideVariable = "VFIOCTL_TESTS_CHILD_DLL";

    public static string Dll
    {
        get
        {
            string path = Environment.GetEnvironmentVariable(OverrideVariable) ?? Path.Join(AppContext.BaseDirectory, "vfioctl.dll");
            Assert.True(File.Exists(path), $"{path} is missing; the test project references tools/vfioctl, which copies it here");
            return path;
        }
    }

    /// <summary>Runs <c>dotnet vfioctl.dll args...</c>.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => StartAsync("dotnet", [Dll, .. args]);

    /// <summary>Runs <c>dotnet vfioctl.dll args...</c> with extra environment variables (the errno fault shim's).</summary>
    public static Task<CliResult> RunWithEnvironmentAsync(Dictionary<string, string> environment, params string[] args) => StartAsync("dotnet", [Dll, .. args], environment);

    /// <summary>Runs a bash pipeline in which <c>$VFIOCTL</c> is the built CLI, so two processes share a real OS pipe.</summary>
    public static Task<CliResult> PipelineAsync(string script) =>
        StartAsync("bash", ["-o", "pipefail", "-c", script], new Dictionary<string, string> { ["VFIOCTL"] = $"dotnet {Dll}" });

    private static async Task<CliResult> StartAsync(string program, string[] args, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach ((string key, string value) in environment ?? [])
        {
            info.Environment[key] = value;
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(info)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        // A hung child fails the test rather than the whole run.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error, []);
    }
}
