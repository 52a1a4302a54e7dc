using System.Diagnostics;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 21: the README's Quick start is a script that works as written. The shell blocks that follow a
/// <c>&lt;!-- quick-start</c> marker line are joined and run verbatim with <c>bash -e -o pipefail</c> from the
/// repository's root, on a fresh temporary root (<c>TMPDIR</c>), twice in a row: any failing line fails the test.
/// <para>
/// The README's <c>tools/bin/vfioctl</c> builds vfioctl when it is missing or stale; here <c>VFIOCTL_DLL</c> points it at
/// the vfioctl.dll this test project's build copied next to it, so the test never starts a build of the solution that
/// <c>dotnet test Vfio.sln</c> is running.
/// </para>
/// </summary>
public sealed class ReadmeQuickStartTests : IDisposable
{
    private const string Marker = "<!-- quick-start";
    private readonly string _temp = Directory.CreateTempSubdirectory("vfioctl-readme-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>The lines of every shell block that follows a marker, in README order.</summary>
    internal static List<string> QuickStart(string readme)
    {
        string[] lines = readme.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var script = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(Marker, StringComparison.Ordinal))
            {
                continue;
            }
            Assert.True(i + 1 < lines.Length && lines[i + 1].StartsWith("```", StringComparison.Ordinal), $"README line {i + 1}: a quick-start marker must be followed by a code block");
            int j = i + 2;
            for (; j < lines.Length && !lines[j].StartsWith("```", StringComparison.Ordinal); j++)
            {
                script.Add(lines[j]);
            }
            Assert.True(j < lines.Length, $"README line {i + 1}: the quick-start block is not closed");
            i = j;
        }
        return script;
    }

    [Fact]
    public void The_quick_start_puts_vfioctl_on_path_without_an_alias_and_ends_the_story()
    {
        List<string> script = QuickStart(File.ReadAllText(Path.Join(Golden.RepositoryRoot(), "README.md")));

        Assert.True(script.Count >= 8, "the README has no quick-start blocks (marked '<!-- quick-start')");
        Assert.DoesNotContain(script, l => l.TrimStart().StartsWith("alias ", StringComparison.Ordinal));
        Assert.StartsWith("export PATH=", script[0], StringComparison.Ordinal);
        // save | load leaves the source stopped with its instance: the story ends with abort and stop of it.
        int save = script.FindIndex(l => l.Contains(" save ", StringComparison.Ordinal));
        Assert.True(save >= 0, "the quick start shows no save | load");
        Assert.Contains(script.Skip(save), l => l.Contains(" abort ", StringComparison.Ordinal));
        Assert.Contains(script.Skip(save), l => l.Contains(" stop -u ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_quick_start_runs_verbatim_twice_in_a_row_on_a_fresh_root()
    {
        string root = Golden.RepositoryRoot();
        string script = Path.Join(_temp, "quick-start.sh");
        File.WriteAllText(script, string.Join('\n', QuickStart(File.ReadAllText(Path.Join(root, "README.md")))) + "\n");
        string tmp = Path.Join(_temp, "tmp");
        Directory.CreateDirectory(tmp);

        for (int run = 1; run <= 2; run++)
        {
            (int code, string output, string error) = await RunAsync(root, script, tmp);

            Assert.True(code == 0, $"run {run} of the README's quick start failed with exit code {code}\n--- stdout\n{output}\n--- stderr\n{error}");
            Assert.Contains("demo complete:", output, StringComparison.Ordinal);
            Assert.Contains("stopped, moved away (stream-sent)", output, StringComparison.Ordinal);
            Assert.Contains("state         RUNNING", output, StringComparison.Ordinal);
            Assert.DoesNotContain("building tools/vfioctl", error, StringComparison.Ordinal);
        }
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string root, string script, string tmp)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-e", "-o", "pipefail", script })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["TMPDIR"] = tmp;
        info.Environment["VFIOCTL_DLL"] = BuiltCli.Dll;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(info)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        // A hung script fails the test rather than the whole run.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }
}
