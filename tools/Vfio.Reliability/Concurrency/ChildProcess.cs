using System.Diagnostics;

namespace Vfio.Reliability.Concurrency;

/// <summary>Runs a .NET program of this build (vfioctl.dll, or this tool in a child mode) and waits for it with a timeout.</summary>
internal static class ChildProcess
{
    /// <summary>The dotnet host: the one that runs this process when the SDK says so, else the one on PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>This tool's own assembly, for child processes in worker or verifier mode.</summary>
    public static string Self => Path.Join(AppContext.BaseDirectory, "vfio-reliability.dll");

    /// <summary>The operator CLI, copied beside this tool by the project reference.</summary>
    public static string Vfioctl => Path.Join(AppContext.BaseDirectory, "vfioctl.dll");

    public static Process Start(string assembly, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {DotnetHost} exec {assembly}");
    }

    /// <summary>Runs to the end or the timeout; a child still running then is killed with its tree.</summary>
    /// <returns>The exit code (null after a timeout), standard output and standard error.</returns>
    public static (int? ExitCode, string Output, string Error) Run(string assembly, IEnumerable<string> args, TimeSpan timeout)
    {
        using Process process = Start(assembly, args);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (null, output.Result, error.Result);
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
