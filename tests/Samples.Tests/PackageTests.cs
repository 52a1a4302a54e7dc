using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Vfio.Tests.Samples;

/// <summary>
/// A vendor consumes the SDK as packages, not as a clone: every src/ project packs with full metadata, and a project
/// made by <c>dotnet new vfio-device</c> (templates/vfio-device, the vendor guide's scratchpad) builds and passes its
/// migration test against those packages from a local folder feed, with no project reference into the repository.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly string[] Packages = ["Vfio.Contracts", "Vfio.DeviceModels", "Vfio.Sdk", "Vfio.Sdk.Testing", "Vfio.Interop", "Vfio.Manager", "Vfio.Fleet.Etcd"];

    private readonly string _work = Directory.CreateTempSubdirectory("vfio-packages-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vfio.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("no Vfio.sln above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Output) Run(string file, string directory, IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (KeyValuePair<string, string> kv in environment ?? new Dictionary<string, string>())
        {
            info.Environment[kv.Key] = kv.Value;
        }
        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran over 10 minutes");
        }
        return (process.ExitCode, output + error.Result);
    }

    [Theory]
    [InlineData("ScratchpadDevice.cs")]
    [InlineData("ScratchpadModel.cs")]
    [InlineData("ScratchpadImplementation.cs")]
    public void The_template_device_is_the_vendor_guides_scratchpad(string file)
    {
        // The template carries a copy (a template's files must stand in its folder); this keeps the copy the guide's code.
        string root = Root();
        string Normal(string text) => string.Join('\n', text.Split('\n').Where(l => l != "using Vfio;"))
            .Replace("namespace Acme.Scratchpad;", "namespace Vfio.Samples.VendorGuide;", StringComparison.Ordinal)
            .Replace("acme.example/scratchpad", "example.com/scratchpad", StringComparison.Ordinal);

        Assert.Equal(File.ReadAllText(Path.Join(root, "samples", "VendorGuide", file)),
            Normal(File.ReadAllText(Path.Join(root, "templates", "vfio-device", "src", file))));
    }

    [Fact]
    public void The_packages_carry_their_metadata_and_a_templated_vendor_project_builds_and_migrates_against_them()
    {
        string root = Root();
        string feed = Path.Join(_work, "feed");
        foreach (string project in Packages)
        {
            (int code, string output) = Run("dotnet", root, null, "pack", Path.Join(root, "src", project), "-o", feed, "-nologo", "-v", "quiet");
            Assert.True(code == 0, $"dotnet pack {project}:\n{output}");
        }
        string commit = Run("git", root, null, "rev-parse", "HEAD").Output.Trim();

        foreach (string nupkg in Directory.EnumerateFiles(feed, "*.nupkg"))
        {
            using ZipArchive zip = ZipFile.OpenRead(nupkg);
            ZipArchiveEntry nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using Stream stream = nuspec.Open();
            XElement metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal("MIT", Get("license"));
            Assert.Equal("README.md", Get("readme"));
            Assert.True(Get("description").Length > 60, $"{nupkg}: a real description");
            Assert.Equal(commit, metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("commit")?.Value);
            Assert.Contains(zip.Entries, e => e.FullName == "README.md");
            Assert.Contains(zip.Entries, e => e.FullName.StartsWith("lib/net10.0/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{nupkg} has its symbols package");
        }
        Assert.Equal(Packages.Length, Directory.EnumerateFiles(feed, "*.nupkg").Count());

        string hive = Path.Join(_work, "hive");
        string made = Path.Join(_work, "Contoso.Widget");
        (int installed, string installOutput) = Run("dotnet", _work, null, "new", "install", Path.Join(root, "templates", "vfio-device"), "--debug:custom-hive", hive);
        Assert.True(installed == 0, installOutput);
        (int created, string createOutput) = Run("dotnet", _work, null, "new", "vfio-device", "-n", "Contoso.Widget", "--domain", "contoso.example", "-o", made, "--debug:custom-hive", hive);
        Assert.True(created == 0, createOutput);
        File.WriteAllText(Path.Join(made, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        string device = File.ReadAllText(Path.Join(made, "src", "ScratchpadModel.cs"));
        Assert.Contains("namespace Contoso.Widget;", device, StringComparison.Ordinal);
        Assert.Contains("\"contoso.example/scratchpad\"", device, StringComparison.Ordinal);
        Assert.DoesNotContain("ProjectReference Include=\"../../", File.ReadAllText(Path.Join(made, "src", "Contoso.Widget.csproj")), StringComparison.Ordinal);

        // A package cache of its own: a version built from another commit at the same height must not be taken from the machine's cache.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Join(_work, "packages") };
        (int tested, string testOutput) = Run("dotnet", made, environment, "test", Path.Join(made, "tests"), "-nologo");

        Assert.True(tested == 0, testOutput);
        Assert.Contains("Passed!", testOutput, StringComparison.Ordinal);
    }
}
