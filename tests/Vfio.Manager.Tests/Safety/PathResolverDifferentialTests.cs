using Vfio.Errors;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager.Safety;

/// <summary>
/// <see cref="PathResolver"/> resolves an existing path through the kernel (O_PATH, /proc/self/fd) and anything else
/// by walking it a component at a time. On random trees of directories, files and links (relative and absolute,
/// inside and outside the root, chains and loops) both ways must give the same answer for every path: the same
/// resolved path, or the same refusal.
/// </summary>
public sealed class PathResolverDifferentialTests : IDisposable
{
    private readonly DirectoryInfo _top = Directory.CreateTempSubdirectory("vfio-resolver-");

    public void Dispose() => _top.Delete(recursive: true);

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void KernelAndWalk_AgreeOnEveryPathOfARandomTree(int seed)
    {
        var random = new Random(seed);
        string root = Path.Join(_top.FullName, $"root{seed}");
        string outside = Path.Join(_top.FullName, $"outside{seed}");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Join(outside, "d"));
        File.WriteAllText(Path.Join(outside, "d", "f"), "outside");
        string[] names = ["a", "b", "c", "d", "f", "l1", "l2", "l3"];
        var directories = new List<string> { "" };
        for (int i = 0; i < 6; i++)
        {
            string parent = directories[random.Next(directories.Count)];
            string dir = Join(parent, names[random.Next(4)]);
            Directory.CreateDirectory(Path.Join(root, dir));
            directories.Add(dir);
        }
        foreach (string dir in directories)
        {
            File.WriteAllText(Path.Join(root, dir, "f"), dir);
        }
        for (int i = 0; i < 10; i++)
        {
            string link = Path.Join(root, directories[random.Next(directories.Count)], names[5 + random.Next(3)]);
            if (File.Exists(link) || Directory.Exists(link) || new FileInfo(link).LinkTarget is not null)
            {
                continue;
            }
            File.CreateSymbolicLink(link, RandomTarget(random, root, outside, names, directories, Path.GetRelativePath(root, Path.GetDirectoryName(link)!)));
        }

        // Odd seeds name the root through a link to it, so its own resolution is compared too.
        string spelled = root;
        if (seed % 2 == 1)
        {
            spelled = Path.Join(_top.FullName, $"root-link{seed}");
            File.CreateSymbolicLink(spelled, root);
        }
        int compared = 0, throughLinks = 0, refused = 0;
        foreach (string relative in Paths(names, depth: 3))
        {
            var path = new SysfsPath(spelled, relative);
            (string? kernel, ErrorCode? kernelRefusal) = Outcome(() => PathResolver.Resolve(path, askKernel: true));
            (string? walked, ErrorCode? walkRefusal) = Outcome(() => PathResolver.Resolve(path, askKernel: false));
            Assert.True(kernel == walked && kernelRefusal == walkRefusal,
                $"seed {seed}, '{relative}': kernel {kernel ?? kernelRefusal.ToString()}, walk {walked ?? walkRefusal.ToString()}");
            compared++;
            throughLinks += kernel is not null && kernel != relative && Path.Exists(Path.Join(root, kernel)) ? 1 : 0;
            refused += kernelRefusal is null ? 0 : 1;
        }
        Assert.Equal(8 + 64 + 512, compared);
        // The tree is worth comparing on: some paths reach an existing file or directory through a link (the kernel's
        // way), and some are refused (out of the root, or a loop).
        Assert.True(throughLinks > 0 && refused > 0, $"seed {seed}: {throughLinks} resolved through links, {refused} refused");
    }

    private static (string? Relative, ErrorCode? Refusal) Outcome(Func<SysfsPath> resolve)
    {
        try
        {
            return (resolve().Relative, null);
        }
        catch (VfioException e)
        {
            return (null, e.Code);
        }
    }

    // A directory of the tree, absolute or relative to the link's own; out of the root, absolute or by climbing; or
    // up to three random steps (names, "..", "."), which may chain to other links, loop or lead nowhere.
    private static string RandomTarget(Random random, string root, string outside, string[] names, List<string> directories, string linkDirectory)
    {
        string existing = directories[random.Next(directories.Count)];
        string up = linkDirectory == "." ? "" : string.Concat(Enumerable.Repeat("../", linkDirectory.Count(c => c == '/') + 1));
        string[] steps = [.. names, "..", ".", ".."];
        string randomSteps = string.Join('/', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => steps[random.Next(steps.Length)]));
        return random.Next(6) switch
        {
            0 => Path.Join(root, existing),
            1 => up + (existing.Length == 0 ? "." : existing),
            2 => Path.Join(outside, "d"),
            3 => "../../../../../../../../../.." + outside + "/d",
            _ => randomSteps,
        };
    }

    private static IEnumerable<string> Paths(string[] names, int depth)
    {
        IEnumerable<string> level = names;
        for (int d = 1; d <= depth; d++)
        {
            foreach (string path in level)
            {
                yield return path;
            }
            level = level.SelectMany(p => names.Select(n => p + "/" + n)).ToList();
        }
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;
}
