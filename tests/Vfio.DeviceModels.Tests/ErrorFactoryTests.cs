using System.Text.RegularExpressions;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels;

/// <summary>
/// Each layer builds its exceptions from one factory per situation (docs/errors.md, docs/architecture.md): outside the
/// factory classes, no code in a converted folder constructs a <c>VfioException</c> (or a subclass) with a catalogue code,
/// so a new error site must go through a factory, where each fact is passed once and lands in both the message and its
/// property.
/// </summary>
public sealed partial class ErrorFactoryTests
{
    /// <summary>The folders whose error sites go through factories.</summary>
    private static readonly string[] Converted =
    [
        "src/Vfio.Manager",
        "src/Vfio.Fleet.Etcd",
        "src/Vfio.DeviceModels",
        "src/Vfio.Interop",
        "src/Vfio.Sdk",
        "tools/vfioctl",
    ];

    /// <summary>The factory classes: the only files of the converted folders that may construct an exception.</summary>
    private static readonly string[] Factories =
    [
        "src/Vfio.Manager/Errors/ManagerErrors.cs",
        "src/Vfio.Fleet.Etcd/EtcdErrors.cs",
        "src/Vfio.DeviceModels/ModelErrors.cs",
        "src/Vfio.DeviceModels/State/StateErrors.cs",
        "src/Vfio.DeviceModels/Streams/StreamErrors.cs",
        "src/Vfio.Interop/Errors/InteropErrors.cs",
        "src/Vfio.Interop/Emulation/EmulationErrors.cs",
        "src/Vfio.Interop/Migration/MigrationStateException.cs",
        "src/Vfio.Sdk/SdkErrors.cs",
        "tools/vfioctl/Cli/CliErrors.cs",
    ];

    /// <summary>
    /// Not yet converted: files and folders inside the converted folders that still construct their exceptions at the
    /// site. Remove an entry once its sites go through a factory. (Projects outside <see cref="Converted"/> are not
    /// yet converted either: src/Vfio.Contracts (MigrationArcs.Refusal, one helper already), tools/Vfio.Benchmarks, tools/Vfio.Reliability.)
    /// </summary>
    private static readonly string[] NotYet = [];

    // `new VfioException(...)` (or a subclass) with any arguments, or a target-typed `new(ErrorCode.X, ...)` /
    // `new(e.Code, ...)`, across line breaks.
    [GeneratedRegex(@"new\s+(VfioException|DeviceModelException|MigrationStateException|DeviceStateException|MigrationStreamException)\s*\(|new\s*\(\s*(ErrorCode\.|\w+\.Code\b)")]
    private static partial Regex ExceptionConstruction();

    private static string Relative(string file) => Path.GetRelativePath(Repo.Root, file).Replace('\\', '/');

    private static bool Under(string relative, string entry) =>
        relative == entry || relative.StartsWith(entry + "/", StringComparison.Ordinal);

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Join(Repo.Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    [Fact]
    public void Converted_folders_construct_exceptions_only_in_their_factories()
    {
        var sites = new List<string>();
        int scanned = 0;
        foreach (string file in Converted.SelectMany(SourceFiles))
        {
            string relative = Relative(file);
            if (Factories.Contains(relative, StringComparer.Ordinal) || NotYet.Any(entry => Under(relative, entry)))
            {
                continue;
            }
            scanned++;
            string text = File.ReadAllText(file);
            foreach (Match m in ExceptionConstruction().Matches(text))
            {
                int line = text.AsSpan(0, m.Index).Count('\n') + 1;
                sites.Add($"{relative}:{line}: {m.Value}");
            }
        }

        Assert.True(scanned > 200, $"only {scanned} files scanned: the converted folders moved");
        Assert.True(sites.Count == 0,
            "construct these through the layer's factory class (" + string.Join(", ", Factories.Select(Path.GetFileNameWithoutExtension)) + "):" +
            Environment.NewLine + string.Join(Environment.NewLine, sites));
    }

    [Fact]
    public void The_scan_sees_the_factories_and_every_not_yet_entry_exists()
    {
        foreach (string factory in Factories)
        {
            string path = Path.Join(Repo.Root, factory);
            Assert.True(File.Exists(path), $"{factory} is listed as a factory class but does not exist");
            Assert.Matches(ExceptionConstruction(), File.ReadAllText(path));
        }
        foreach (string entry in NotYet)
        {
            string path = Path.Join(Repo.Root, entry);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{entry} is listed as not yet converted but does not exist");
        }
    }
}
