namespace Vfio.Tests.Vfioctl.Support;

/// <summary>
/// Golden files under tests/testdata/vfioctl (the JSON outputs, <c>demo.txt</c>, <c>help/*.txt</c>); VFIOCTL_REGEN=1
/// rewrites them from the actual output, e.g. after a wording change or a new option:
/// <c>VFIOCTL_REGEN=1 dotnet test tests/vfioctl.Tests --filter "FullyQualifiedName~Golden"</c>, then review the diff.
/// </summary>
internal static class Golden
{
    public static void Match(string name, string actual)
    {
        string path = Path.Join(RepositoryRoot(), "tests", "testdata", "vfioctl", name);
        string normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("VFIOCTL_REGEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, normalized);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests once with VFIOCTL_REGEN=1");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), normalized);
    }

    public static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Join(d.FullName, "Vfio.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("Vfio.sln not found above " + AppContext.BaseDirectory);
    }
}
