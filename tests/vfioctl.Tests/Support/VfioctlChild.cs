using System.Diagnostics;
using System.Globalization;
using Vfio.Tests.Support;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl.Support;

/// <summary>
/// The built vfioctl as a child process that a test signals: started with its streams redirected (stdout and stdin
/// are left to the test, to fill or drain as the scenario needs), optionally paused at a migration checkpoint.
/// </summary>
internal sealed class VfioctlChild : IDisposable
{
    private readonly Task<string> _error;

    private VfioctlChild(Process process)
    {
        Process = process;
        _error = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>Starts <c>dotnet vfioctl.dll args...</c>; with <paramref name="pauseAt"/>, it blocks at that checkpoint
    /// and announces it in <paramref name="marker"/>.</summary>
    public static VfioctlChild Start(string[] args, string? pauseAt = null, string? marker = null)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        info.ArgumentList.Add(BuiltCli.Dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (pauseAt is not null)
        {
            PauseAt(info, pauseAt, marker!);
        }
        return new VfioctlChild(Process.Start(info)!);
    }

    /// <summary>The one place that arms the CLI's checkpoint pause (PauseHook) for a child.</summary>
    public static void PauseAt(ProcessStartInfo info, string checkpoint, string marker)
    {
        info.Environment[PauseHook.PauseAtVariable] = checkpoint;
        info.Environment[PauseHook.MarkerVariable] = marker;
    }

    /// <summary>Waits until the child announced its pause.</summary>
    public async Task WaitForPauseAsync(string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!File.Exists(marker))
        {
            if (Process.HasExited)
            {
                Assert.Fail($"vfioctl ended before its pause: {await _error}");
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Waits until the child has written nothing for <paramref name="quiet"/> (it is blocked: on a pipe nobody
    /// drains, or waiting for input), judged by the bytes it wrote (<c>/proc/&lt;pid&gt;/io</c>, wchar).</summary>
    public async Task WaitUntilBlockedAsync(TimeSpan quiet, Func<bool> started)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        long last = -1;
        var still = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                Assert.Fail($"vfioctl ended before it blocked: {await _error}");
            }
            long written = WrittenBytes();
            if (written != last || !started())
            {
                last = written;
                still.Restart();
            }
            else if (still.Elapsed >= quiet)
            {
                return;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Posix.Kill(Process.Id, signal));

    /// <summary>Waits for the exit (2 minutes at most) and returns the exit code and stderr.</summary>
    public async Task<(int ExitCode, string Err)> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Process.WaitForExitAsync(timeout.Token);
        return (Process.ExitCode, await _error);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
        }
        Process.Dispose();
    }

    private long WrittenBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{Process.Id}/io"))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
