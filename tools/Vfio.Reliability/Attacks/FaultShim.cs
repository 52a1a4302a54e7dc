using System.Diagnostics;

namespace Vfio.Reliability.Attacks;

/// <summary>
/// The errno fault shim (tools/faultshim/faultshim.c), compiled with gcc once per process and handed to vfioctl child
/// processes through LD_PRELOAD: it fails chosen file calls (open, write, fsync, rename, unlink) on paths containing a
/// pattern with a chosen errno, so the real code path, .NET's own FileStream calls included, meets the fault.
/// </summary>
internal static class FaultShim
{
    private static readonly Lazy<string> s_library = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The compiled library (built on first use).</summary>
    /// <exception cref="InvalidOperationException">gcc or the source is missing, or the build failed: the message says which.</exception>
    public static string Library => s_library.Value;

    /// <summary>The environment that makes the shim fail <paramref name="op"/> calls on paths containing <paramref name="pathContains"/>.</summary>
    /// <param name="pathContains">The substring a path must contain.</param>
    /// <param name="op">open, write, fsync, rename, unlink or mkdir.</param>
    /// <param name="errno">ENOSPC, EIO, EROFS, EACCES, ...</param>
    /// <param name="after">How many matching calls succeed first.</param>
    /// <param name="times">How many fail from then on; 0 for every later one.</param>
    public static Dictionary<string, string> Environment(string pathContains, string op, string errno, int after = 0, int times = 0) => new(StringComparer.Ordinal)
    {
        ["LD_PRELOAD"] = Library,
        ["FAULTSHIM_PATH"] = pathContains,
        ["FAULTSHIM_OP"] = op,
        ["FAULTSHIM_ERRNO"] = errno,
        ["FAULTSHIM_AFTER"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["FAULTSHIM_TIMES"] = times.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>tools/faultshim/faultshim.c, found by walking up from this assembly to the repository.</summary>
    public static string Source
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                string candidate = Path.Join(d.FullName, "tools", "faultshim", "faultshim.c");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new InvalidOperationException($"tools/faultshim/faultshim.c not found above {AppContext.BaseDirectory}; the attack suite runs from a checkout of the repository");
        }
    }

    private static string Build()
    {
        string output = Path.Join(Directory.CreateTempSubdirectory("faultshim-").FullName, "faultshim.so");
        var info = new ProcessStartInfo("gcc") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-o", output, Source, "-ldl" })
        {
            info.ArgumentList.Add(arg);
        }
        Process gcc;
        try
        {
            gcc = Process.Start(info) ?? throw new InvalidOperationException("gcc did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"gcc is needed to build the errno fault shim ({e.Message}); install it (apt-get install gcc)", e);
        }
        using (gcc)
        {
            string error = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException($"building the errno fault shim failed: {error}");
            }
        }
        return output;
    }
}
