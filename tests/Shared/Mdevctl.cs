using System.Diagnostics;

namespace Vfio.Tests.Shared;

/// <summary>
/// Runs the real mdevctl against a private definitions directory: mdevctl reads the fixed /etc/mdevctl.d, so each
/// call runs in a new mount namespace (unshare -m) with a temporary folder bind-mounted over it. The machine's own
/// definitions are never read or written.
/// </summary>
public sealed class Mdevctl : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public Mdevctl()
    {
        Directory.CreateDirectory(Path.Join(ConfigRoot, "scripts.d", "callouts"));
        Directory.CreateDirectory(Path.Join(ConfigRoot, "scripts.d", "notifiers"));
    }

    /// <summary>Why mdevctl cannot run here, or null when it can.</summary>
    public static string? SkipReason => Unavailable.Value;

    public string ConfigRoot { get; } = Directory.CreateTempSubdirectory("mdevctl-d-").FullName;

    public string Run(params string[] args)
    {
        (int code, string output, string error) = Exec("unshare",
            ["-m", "sh", "-c", "mount --bind \"$0\" /etc/mdevctl.d && exec mdevctl \"$@\"", ConfigRoot, .. args]);
        return code == 0 ? output : throw new InvalidOperationException($"mdevctl {string.Join(' ', args)} exited {code}: {error}");
    }

    public void Dispose() => Directory.Delete(ConfigRoot, recursive: true);

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "mdevctl interop needs Linux";
        }
        string? Find(string tool) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Join(d, tool)).FirstOrDefault(File.Exists);
        if (Find("mdevctl") is null)
        {
            return "mdevctl is not installed (apt-get install mdevctl)";
        }
        if (Find("unshare") is null)
        {
            return "unshare (util-linux) is not installed";
        }
        if (!Directory.Exists("/etc/mdevctl.d"))
        {
            return "/etc/mdevctl.d does not exist to mount over";
        }
        (int code, _, string error) = Exec("unshare", ["-m", "sh", "-c", "mount --bind /tmp /etc/mdevctl.d"]);
        return code == 0 ? null : $"cannot make a private mount namespace (unshare -m + mount --bind need CAP_SYS_ADMIN): {error.Trim()}";
    }

    private static (int Code, string Output, string Error) Exec(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}

/// <summary>A fact that runs only where the real mdevctl can run in a private mount namespace.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, TestAssembly.Name)]
public sealed class RequiresMdevctlFactAttribute : FactAttribute
{
    public RequiresMdevctlFactAttribute()
    {
        if (Mdevctl.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
