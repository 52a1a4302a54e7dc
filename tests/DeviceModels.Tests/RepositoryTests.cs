using System.Text.RegularExpressions;

namespace DeviceModels.Tests;

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
                if (TextExtensions.Contains(Path.GetExtension(file), StringComparer.Ordinal) || Path.GetFileName(file) == "run")
                {
                    yield return file;
                }
            }
        }
    }

    [Fact]
    public void No_file_cites_a_document_outside_the_repository()
    {
        string self = Path.Join("tests", "DeviceModels.Tests", "RepositoryTests.cs");
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
}
