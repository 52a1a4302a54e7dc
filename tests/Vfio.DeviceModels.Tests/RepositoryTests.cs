using System.Text.RegularExpressions;

namespace Vfio.Tests.DeviceModels;

/// <summary>
/// The repository stands alone: its code and documents cite only files inside it, and every relative link in a
/// document resolves to a file or folder that exists.
/// </summary>
public sealed partial class RepositoryTests
{
    private static readonly string[] TextExtensions = [".cs", ".md", ".csproj", ".props", ".targets", ".json", ".sh", ".txt", ".yml", ".yaml"];

    private static readonly string[] SkippedDirectories = ["bin", "obj", "artifacts", ".git", "node_modules", "testdata"];

    [GeneratedRegex(@"ARCHITECTURE\.md|STYLE\.md|\bSTYLE P\d+|\.\./shared/|/work/shared")]
    private static partial Regex OutsideReference();

    [GeneratedRegex(@"^namespace (?<name>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"<RootNamespace>(?<name>[^<]+)</RootNamespace>")]
    private static partial Regex RootNamespace();

    [GeneratedRegex(@"\]\((?<target>[^)\s#]+)(#[^)]*)?\)")]
    private static partial Regex MarkdownLink();

    public static IEnumerable<string> Files()
    {
        var pending = new Stack<string>([Repo.Root]);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(directory))
            {
                if (!SkippedDirectories.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
                {
                    pending.Push(sub);
                }
            }
            foreach (string file in Directory.EnumerateFiles(directory))
            {
                if (TextExtensions.Contains(Path.GetExtension(file), StringComparer.Ordinal) || Path.GetFileName(file) is "run" or ".editorconfig")
                {
                    yield return file;
                }
            }
        }
    }

    [Fact]
    public void No_file_cites_a_document_outside_the_repository()
    {
        string self = Path.Join("tests", "Vfio.DeviceModels.Tests", "RepositoryTests.cs");
        var citations = new List<string>();
        foreach (string file in Files())
        {
            string relative = Path.GetRelativePath(Repo.Root, file);
            if (relative == self)
            {
                continue;
            }
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (OutsideReference().IsMatch(lines[i]))
                {
                    citations.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(Files().Count() > 100, "the walk found the repository's files");
        Assert.Empty(citations);
    }

    [Fact]
    public void Every_relative_link_in_a_document_resolves_inside_the_repository()
    {
        var broken = new List<string>();
        int links = 0;
        foreach (string file in Files().Where(f => f.EndsWith(".md", StringComparison.Ordinal)))
        {
            foreach (Match m in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                string target = m.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }
                links++;
                string resolved = Path.GetFullPath(Path.Join(Path.GetDirectoryName(file)!, target));
                bool inside = resolved.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || resolved == Repo.Root;
                if (!inside || (!File.Exists(resolved) && !Directory.Exists(resolved)))
                {
                    broken.Add($"{Path.GetRelativePath(Repo.Root, file)}: ({target})");
                }
            }
        }

        Assert.True(links > 30, $"only {links} relative links found: the link pattern no longer matches the documents");
        Assert.Empty(broken);
    }

    /// <summary>
    /// Every product assembly (src/, tools/, samples/) and every library under tests/ that is not a test project (the
    /// test-support library, Vfio.Tests.Support) has a root namespace under <c>Vfio</c>, and a file's namespace
    /// is that root followed by its folder. One exception: Vfio.Interop's <c>Interop/</c> folder holds the nested
    /// <c>Interop</c> class (<c>Interop.Libc</c>, <c>Interop.Vfio</c>) and its handle in the root namespace, the way
    /// dotnet/runtime lays out its interop. A file without a namespace is a program's top-level statements.
    /// </summary>
    [Fact]
    public void Namespaces_follow_folders_under_one_root()
    {
        var wrong = new List<string>();
        int checkedFiles = 0;
        string[] productRoots = ["src", "tools", "samples"];
        string[] testLibraries = [.. Directory.EnumerateFiles(Path.Join(Repo.Root, "tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => File.ReadAllText(p).Contains("<IsTestProject>false</IsTestProject>", StringComparison.Ordinal))];
        Assert.Contains(testLibraries, p => Path.GetFileName(p) == "Vfio.Tests.Support.csproj");
        foreach (string project in productRoots.SelectMany(r => Directory.EnumerateFiles(Path.Join(Repo.Root, r), "*.csproj", SearchOption.AllDirectories)).Concat(testLibraries))
        {
            string directory = Path.GetDirectoryName(project)!;
            Match declared = RootNamespace().Match(File.ReadAllText(project));
            string root = declared.Success ? declared.Groups["name"].Value : Path.GetFileNameWithoutExtension(project);
            if (root != "Vfio" && !root.StartsWith("Vfio.", StringComparison.Ordinal))
            {
                wrong.Add($"{Path.GetRelativePath(Repo.Root, project)}: root namespace {root} is not under Vfio");
            }
            foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(directory, file);
                string[] folders = Path.GetDirectoryName(relative)!.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
                if (folders.Length > 0 && folders[0] is "bin" or "obj")
                {
                    continue;
                }
                checkedFiles++;
                Match m = NamespaceDeclaration().Match(File.ReadAllText(file));
                string expected = folders.Length == 0 ? root : root + "." + string.Join('.', folders);
                if (root == "Vfio" && folders.Length > 0 && folders[0] == "Interop")
                {
                    expected = "Vfio";
                }
                if (!m.Success)
                {
                    if (Path.GetFileName(file) != "Program.cs")
                    {
                        wrong.Add($"{Path.GetRelativePath(Repo.Root, file)}: no namespace");
                    }
                }
                else if (m.Groups["name"].Value != expected)
                {
                    wrong.Add($"{Path.GetRelativePath(Repo.Root, file)}: namespace {m.Groups["name"].Value}, folder says {expected}");
                }
            }
        }

        Assert.True(checkedFiles > 300, $"only {checkedFiles} product files found");
        Assert.Empty(wrong);
    }

    /// <summary>Each src/ project is named as its assembly, package and root namespace; the two foundation
    /// assemblies (Vfio.Interop, Vfio.Contracts) share the root <c>Vfio</c>.</summary>
    [Fact]
    public void Every_library_is_named_as_its_root_namespace()
    {
        var wrong = new List<string>();
        foreach (string project in Directory.EnumerateFiles(Path.Join(Repo.Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            string name = Path.GetFileNameWithoutExtension(project);
            Match declared = RootNamespace().Match(File.ReadAllText(project));
            string root = declared.Success ? declared.Groups["name"].Value : name;
            string expected = name is "Vfio.Interop" or "Vfio.Contracts" ? "Vfio" : name;
            if (root != expected || Path.GetFileName(Path.GetDirectoryName(project)) != name)
            {
                wrong.Add($"{name}: folder {Path.GetFileName(Path.GetDirectoryName(project))}, root namespace {root}");
            }
        }

        Assert.Empty(wrong);
    }

    /// <summary>Test namespaces begin with <c>Vfio.Tests</c>, whatever project they sit in.</summary>
    [Fact]
    public void Every_test_namespace_is_under_Vfio_Tests()
    {
        var wrong = Directory.EnumerateFiles(Path.Join(Repo.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: f, Match: NamespaceDeclaration().Match(File.ReadAllText(f))))
            .Where(x => x.Match.Success && !x.Match.Groups["name"].Value.StartsWith("Vfio.Tests", StringComparison.Ordinal))
            .Select(x => $"{Path.GetRelativePath(Repo.Root, x.File)}: {x.Match.Groups["name"].Value}")
            .ToList();

        Assert.Empty(wrong);
    }
}
