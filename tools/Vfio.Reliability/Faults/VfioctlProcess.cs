using System.Diagnostics;

namespace Vfio.Reliability.Faults;

/// <summary>What one vfioctl process did.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Out, string Err, bool Killed, bool TimedOut)
{
    /// <summary>True when the process failed on its own (not killed by the harness).</summary>
    public bool Failed => !Killed && ExitCode != 0;
}

/// <summary>
/// Starts the real CLI as a child process: <c>dotnet vfioctl.dll</c>, or a published executable (ReadyToRun starts
/// several times faster, which is most of the matrix's run time).
/// </summary>
internal sealed class VfioctlProcess(string path, TimeSpan timeout)
{
    public string Path { get; } = path;

    /// <summary>A command the CLI runs under, e.g. <c>setpriv --reuid=65534 ...</c> for an unprivileged user; empty for none.</summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];

    /// <summary>The default: the vfioctl.dll the project reference copies next to this tool.</summary>
    public static string DefaultPath => System.IO.Path.Join(AppContext.BaseDirectory, "vfioctl.dll");

    public Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool keepInput = false)
    {
        bool dll = Path.EndsWith(".dll", StringComparison.Ordinal);
        List<string> command = [.. Launcher, .. dll ? new[] { "dotnet", Path } : [Path]];
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string part in command.Skip(1))
        {
            info.ArgumentList.Add(part);
        }
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Path}");
        if (!keepInput)
        {
            process.StandardInput.Close();
        }
        return process;
    }

    /// <summary>Runs to the end (or the timeout, after which the process is killed and reported as hung).</summary>
    public async Task<ProcessResult> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using Process process = Start(args, environment);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        bool timedOut = !await WaitAsync(process).ConfigureAwait(false);
        return new ProcessResult(string.Join(' ', args), timedOut ? -1 : process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false), false, timedOut);
    }

    /// <summary>
    /// Runs with <c>VFIOCTL_PAUSE_AT</c> set and kills the process (SIGKILL) as soon as it announces, through the marker
    /// file, that it blocks at the checkpoint. A process that ends without reaching it is reported unkilled.
    /// </summary>
    public async Task<ProcessResult> RunAndKillAtAsync(IReadOnlyList<string> args, string checkpoint, string marker)
    {
        using Process process = Start(args, PauseEnvironment(checkpoint, marker));
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        bool killed = await KillAtMarkerAsync(process, marker).ConfigureAwait(false);
        bool timedOut = !await WaitAsync(process).ConfigureAwait(false);
        return new ProcessResult(string.Join(' ', args), killed || timedOut ? -1 : process.ExitCode, await output.ConfigureAwait(false),
            await error.ConfigureAwait(false), killed, timedOut);
    }

    public static Dictionary<string, string> PauseEnvironment(string checkpoint, string marker) => new(StringComparer.Ordinal)
    {
        ["VFIOCTL_PAUSE_AT"] = checkpoint,
        ["VFIOCTL_PAUSE_MARKER"] = marker,
    };

    /// <summary>Waits for the marker or the process's end; kills on the marker. True when killed.</summary>
    public async Task<bool> KillAtMarkerAsync(Process process, string marker)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < timeout)
        {
            if (File.Exists(marker))
            {
                process.Kill();
                return true;
            }
            await Task.Delay(15).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>Waits for the process; kills it after the timeout. False when it had to be killed (a hang).</summary>
    public async Task<bool> WaitAsync(Process process)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return false;
        }
    }
}
