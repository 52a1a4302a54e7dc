namespace Vfio.Tests.Abi;

/// <summary>
/// Which linux/vfio.h the ABI test compiles against: <c>$VFIO_UAPI_INCLUDE</c> (a directory holding linux/vfio.h),
/// else the repository's <c>.headers/include</c> (filled by <c>.ci/fetch-vfio-header</c>), else <c>/usr/include</c>.
/// </summary>
internal sealed record UapiHeader(string IncludeDirectory, string Origin)
{
    public string VfioHeaderPath => Path.Combine(IncludeDirectory, "linux", "vfio.h");

    /// <summary>True when the directory carries its own linux/version.h (the .headers copy does).</summary>
    public bool HasOwnVersionHeader => File.Exists(Path.Combine(IncludeDirectory, "linux", "version.h"));

    public static UapiHeader Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("VFIO_UAPI_INCLUDE");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return new UapiHeader(fromEnv, "VFIO_UAPI_INCLUDE");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vfio.sln")))
            {
                string headers = Path.Combine(dir.FullName, ".headers", "include");
                if (File.Exists(Path.Combine(headers, "linux", "vfio.h")))
                {
                    string source = Path.Combine(headers, "SOURCE");
                    return new UapiHeader(headers, File.Exists(source) ? ".headers from " + File.ReadAllText(source).Trim() : ".headers");
                }
                break;
            }
        }
        return new UapiHeader("/usr/include", "system header");
    }

    /// <summary>The guard macros the header text lacks (cheap, no compiler: used to decide skips at discovery).</summary>
    public IReadOnlyList<string> MissingGuards(IEnumerable<string?> guards)
    {
        string text = File.Exists(VfioHeaderPath) ? File.ReadAllText(VfioHeaderPath) : "";
        return guards.OfType<string>().Distinct().Where(g => !text.Contains("#define " + g, StringComparison.Ordinal)).ToArray();
    }
}
