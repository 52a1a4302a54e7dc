using System.Diagnostics;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 21: the README's first command used to print nothing for half a minute while it built. tools/bin/vfioctl says
/// on stderr that it builds, builds only when vfioctl is missing or older than a source, then runs it. The script runs
/// here in a copy of the repository's layout with a stub <c>dotnet</c> first on PATH, so no real build starts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WrapperScriptTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("vfioctl-wrapper-").FullName;

    public WrapperScriptTests()
    {
        Directory.CreateDirectory(Path.Join(_repo, "tools", "bin"));
        File.Copy(Path.Join(Golden.RepositoryRoot(), "tools", "bin", "vfioctl"), Path.Join(_repo, "tools", "bin", "vfioctl"));
        File.SetUnixFileMode(Path.Join(_repo, "tools", "bin", "vfioctl"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (string source in new[] { "src/A/A.cs", "samples/S/S.cs", "tools/vfioctl/Program.cs" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(_repo, source))!);
            File.WriteAllText(Path.Join(_repo, source), "// a source\n");
            File.SetLastWriteTimeUtc(Path.Join(_repo, source), DateTime.UtcNow.AddHours(-1));
        }
        // The stub: 'dotnet build DIR ...' writes the dll; 'dotnet DLL args' says what it ran.
        Directory.CreateDirectory(Path.Join(_repo, "stub"));
        File.WriteAllText(Path.Join(_repo, "stub", "dotnet"), """
            #!/usr/bin/env bash
            if [[ "$1" == build ]]; then
                mkdir -p "$2/bin/Debug/net10.0" && echo built > "$2/bin/Debug/net10.0/vfioctl.dll"
                echo "  vfioctl -> $2/bin/Debug/net10.0/vfioctl.dll"
                exit 0
            fi
            echo "ran $*"
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(Path.Join(_repo, "stub", "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private string Dll => Path.Join(_repo, "tools", "vfioctl", "bin", "Debug", "net10.0", "vfioctl.dll");

    [Fact]
    public async Task The_first_run_says_it_builds_then_runs_and_the_next_runs_at_once()
    {
        (int code, string output, string error) = await RunAsync("types");

        Assert.True(code == 0, error);
        Assert.StartsWith("vfioctl: building tools/vfioctl first", error, StringComparison.Ordinal);
        Assert.Equal($"ran {Dll} types\n", output);

        (int again, string output2, string error2) = await RunAsync("list", "-d");
        Assert.Equal(0, again);
        Assert.Empty(error2);
        Assert.Equal($"ran {Dll} list -d\n", output2);
    }

    [Fact]
    public async Task A_source_newer_than_the_built_vfioctl_builds_again()
    {
        Assert.Equal(0, (await RunAsync("types")).Code);
        File.SetLastWriteTimeUtc(Dll, DateTime.UtcNow.AddMinutes(-30));

        File.WriteAllText(Path.Join(_repo, "src", "A", "A.cs"), "// changed\n");
        (int code, _, string error) = await RunAsync("types");

        Assert.Equal(0, code);
        Assert.StartsWith("vfioctl: building tools/vfioctl first", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VFIOCTL_DLL_runs_that_dll_and_never_builds()
    {
        (int code, string output, string error) = await RunAsync(new Dictionary<string, string> { ["VFIOCTL_DLL"] = "/elsewhere/vfioctl.dll" }, "types");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal("ran /elsewhere/vfioctl.dll types\n", output);
        Assert.False(File.Exists(Dll));
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync([], args);

    private async Task<(int Code, string Out, string Err)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Path.Join(_repo, "tools", "bin", "vfioctl"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PATH"] = Path.Join(_repo, "stub") + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment.Remove("VFIOCTL_DLL");
        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
