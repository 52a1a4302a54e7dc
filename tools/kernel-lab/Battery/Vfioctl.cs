using System.Diagnostics;
using System.Text.RegularExpressions;
using Vfio.Errors;

namespace Vfio.KernelLab;

/// <summary>What one vfioctl process did: its exit code, what it printed, and the catalogue code of its error line.</summary>
internal sealed record VfioctlResult(string[] Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The code of the first <c>error Exxxx name:</c> line, or null.</summary>
    public string? ErrorCode => Regex.Match(Stderr, @"error (E\d{4})") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>One line for a result's detail: the command, its exit code and its first error line.</summary>
    public string Summary
    {
        get
        {
            string error = Stderr.Split('\n').FirstOrDefault(l => l.StartsWith("error ", StringComparison.Ordinal)) ?? "";
            return $"vfioctl {string.Join(' ', Args)} -> exit {ExitCode}{(error.Length > 0 ? ": " + error : "")}";
        }
    }

    /// <summary>The stack-trace marker .NET prints for an exception nobody caught.</summary>
    public bool Crashed => Stderr.Contains("Unhandled exception", StringComparison.Ordinal) || ExitCode == 134;
}

/// <summary>Runs the published vfioctl as an operator's shell would: one process per verb, real stdin and stdout.</summary>
internal sealed class Vfioctl(string path)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Every run so far, for the battery's log.</summary>
    public List<VfioctlResult> History { get; } = [];

    public VfioctlResult Run(params string[] args) => Run(args, stdinFile: null, environment: null);

    public VfioctlResult Run(string[] args, string? stdinFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        using Process process = Start(args, redirectStdin: stdinFile is not null, environment);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdinFile is not null)
        {
            using (FileStream input = File.OpenRead(stdinFile))
            {
                input.CopyTo(process.StandardInput.BaseStream);
            }
            process.StandardInput.Close();
        }
        return Finish(process, args, stdout, stderr);
    }

    /// <summary><c>vfioctl SAVE... | vfioctl LOAD...</c>: the first's stdout is the second's stdin, as a shell pipe.</summary>
    public (VfioctlResult Save, VfioctlResult Load) Pipe(string[] saveArgs, string[] loadArgs)
    {
        using Process save = Start(saveArgs, redirectStdin: false, environment: null);
        using Process load = Start(loadArgs, redirectStdin: true, environment: null);
        Task<string> saveErr = save.StandardError.ReadToEndAsync();
        Task<string> loadOut = load.StandardOutput.ReadToEndAsync();
        Task<string> loadErr = load.StandardError.ReadToEndAsync();
        Task pump = Task.Run(() =>
        {
            save.StandardOutput.BaseStream.CopyTo(load.StandardInput.BaseStream);
            load.StandardInput.Close();
        });
        VfioctlResult saved = Finish(save, saveArgs, Task.FromResult(""), saveErr);
        pump.Wait(Limit);
        return (saved, Finish(load, loadArgs, loadOut, loadErr));
    }

    /// <summary>Starts vfioctl and leaves it running (for a kill); the caller reads or ignores its output.</summary>
    public Process Start(string[] args, bool redirectStdin, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {path}");
    }

    private VfioctlResult Finish(Process process, string[] args, Task<string> stdout, Task<string> stderr)
    {
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            var hung = new VfioctlResult(args, -1, stdout.Result, stderr.Result + $"\n(killed: still running after {Limit.TotalSeconds} s)");
            History.Add(hung);
            return hung;
        }
        var result = new VfioctlResult(args, process.ExitCode, stdout.Result, stderr.Result);
        History.Add(result);
        return result;
    }
}
