namespace Vfio.Tests.Manager;

/// <summary>Locates files of the repository (the shipped sample manifests) from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string MttyManifests => Path.Join(Root, "samples", "mtty", "manifests");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "Vfio.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Vfio.sln not found above {AppContext.BaseDirectory}");
    }
}
