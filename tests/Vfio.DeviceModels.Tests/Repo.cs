namespace Vfio.Tests.DeviceModels;

/// <summary>Finds the repository root (the directory holding Vfio.sln) above the test binaries.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Vfio.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException($"no Vfio.sln above {AppContext.BaseDirectory}");
    }
}
