using System.Diagnostics;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// <c>vfioctl completion bash</c>: the printed script, sourced into a real bash, completes verbs, options and device
/// UUIDs by asking the built vfioctl (tools/bin/vfioctl on PATH, pointed at this test run's build).
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private const string Device = "a0000000-0000-4000-8000-0000000000f1";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private async Task<string[]> CompleteAsync(string script, string line)
    {
        string[] words = line.Split(' ');
        string program = $$"""
            source {{script}}
            COMP_LINE='{{line}}'
            COMP_POINT={{line.Length}}
            COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}})
            COMP_CWORD={{words.Length - 1}}
            _vfioctl_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(program);
        info.Environment["PATH"] = Path.Join(Golden.RepositoryRoot(), "tools", "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment["VFIOCTL_DLL"] = BuiltCli.Dll;
        using Process bash = Process.Start(info)!;
        Task<string> output = bash.StandardOutput.ReadToEndAsync();
        string error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, error);
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task The_bash_script_completes_verbs_options_and_device_uuids_from_vfioctl_itself()
    {
        CliResult start = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", "0000:00:03.0", "-t", "mynic-4q"]);
        Assert.True(start.ExitCode == 0, start.Err);
        CliResult printed = await Cli.RunAsync(["completion", "bash"]);
        string script = Path.Join(_hosts.Root, "vfioctl.bash");
        await File.WriteAllTextAsync(script, printed.Out);

        string[] verbs = await CompleteAsync(script, "vfioctl mi");
        string[] options = await CompleteAsync(script, "vfioctl list --d");
        string[] devices = await CompleteAsync(script, $"vfioctl --emulated {_hosts.HostA} describe ");

        Assert.Equal(0, printed.ExitCode);
        Assert.Equal(["migrate"], verbs);
        Assert.Equal(["--defined", "--dumpjson"], options.Order(StringComparer.Ordinal));
        Assert.Contains(Device, devices);
    }

    [Fact]
    public async Task A_shell_vfioctl_does_not_complete_in_is_a_usage_error()
    {
        CliResult fish = await Cli.RunAsync(["completion", "fish"]);

        Assert.Equal(64, fish.ExitCode);
        Assert.Contains("'fish' is not a shell vfioctl completes in", fish.Err, StringComparison.Ordinal);
        Assert.Empty(fish.Out);
    }

    [Fact]
    public async Task The_zsh_script_defines_a_completion_function_that_asks_vfioctl()
    {
        CliResult printed = await Cli.RunAsync(["completion", "zsh"]);

        Assert.Equal(0, printed.ExitCode);
        Assert.StartsWith("#compdef vfioctl", printed.Out, StringComparison.Ordinal);
        Assert.Contains("[suggest:${#rest}]", printed.Out, StringComparison.Ordinal);
        Assert.Contains("compdef _vfioctl vfioctl", printed.Out, StringComparison.Ordinal);
    }
}
