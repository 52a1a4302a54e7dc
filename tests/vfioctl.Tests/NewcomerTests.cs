using Vfio.Manager.Migration;
using Spectre.Console;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Output;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 21, a newcomer's first hour: each trap a new user met on the README's path, fixed and held here (the README's
/// Quick start itself runs in ReadmeQuickStartTests).
/// </summary>
public sealed class NewcomerTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000aa";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private async Task StartOnA(string uuid, string config)
    {
        CliResult r = await OnA("start", "-u", uuid, "-p", Parent, "-t", Type, "--config", config);
        Assert.True(r.ExitCode == 0, r.Err);
    }

    // Every verb that works on a host, with arguments that parse: the check runs before the verb reads anything.
    public static TheoryData<string[]> HostVerbs => new()
    {
        new[] { "types" },
        new[] { "list" },
        new[] { "list", "--defined" },
        new[] { "models" },
        new[] { "capabilities" },
        new[] { "define", "-p", Parent, "-t", Type },
        new[] { "undefine", "-u", Source },
        new[] { "modify", "-u", Source, "--config", "version=1" },
        new[] { "start", "-p", Parent, "-t", Type },
        new[] { "stop", "-u", Source },
        new[] { "describe", Source },
        new[] { "check", "-u", Source, "--to-type", $"{Parent}/{Type}" },
        new[] { "save", Source, "-o", "-" },
        new[] { "load", Source, "-p", Parent, "-t", Type },
        new[] { "migrate", Source, "--to-type", $"{Parent}/{Type}" },
        new[] { "resume", Source },
        new[] { "abort", Source },
        new[] { "traffic", Source },
        new[] { "fault", Source, "--clear" },
        new[] { "conform", Source },
    };

    [Theory]
    [MemberData(nameof(HostVerbs))]
    public async Task An_emulated_root_that_does_not_exist_is_E7010_for_every_verb_not_an_empty_host(string[] verb)
    {
        string typo = Path.Join(_hosts.Root, "host-c");

        CliResult r = await Cli.RunAsync(["--emulated", typo, .. verb]);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("error E7010 emulated-host-invalid: --emulated '" + typo + "' does not exist", r.Err, StringComparison.Ordinal);
        Assert.Empty(r.Out);
        Assert.False(Directory.Exists(typo), "the check must not create the folder");
    }

    [Fact]
    public async Task A_folder_that_is_not_an_emulated_host_is_E7010_and_so_is_such_a_to_root()
    {
        CliResult notAHost = await Cli.RunAsync(["--emulated", _hosts.Root, "types"]);
        Assert.Equal(ExitCodes.Usage, notAHost.ExitCode);
        Assert.Contains("is not an emulated host (it has no sys/class/mdev_bus)", notAHost.Err, StringComparison.Ordinal);

        await StartOnA(Source, "version=1");
        CliResult toTypo = await OnA("check", "-u", Source, "--to-type", $"{Parent}/{Type}", "--to-root", Path.Join(_hosts.Root, "host-x"));
        Assert.Equal(ExitCodes.Usage, toTypo.ExitCode);
        Assert.StartsWith("error E7010 emulated-host-invalid: --to-root ", toTypo.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_emulated_host_still_works_and_demo_root_still_creates_its_hosts()
    {
        Assert.Equal(0, (await OnA("types")).ExitCode);
        string fresh = Path.Join(_hosts.Root, "fresh-demo");

        CliResult demo = await Cli.RunAsync(["demo", "--root", fresh]);

        Assert.True(demo.ExitCode == 0, demo.Err);
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", Path.Join(fresh, "host-b"), "types"])).ExitCode);
    }

    [Fact]
    public async Task Demo_run_again_on_its_root_says_how_to_replace_it_and_replace_builds_it_again()
    {
        string root = Path.Join(_hosts.Root, "demo");
        Assert.Equal(0, (await Cli.RunAsync(["demo", "--root", root])).ExitCode);

        CliResult again = await Cli.RunAsync(["demo", "--root", root]);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("already holds a demo (host-a, host-b); add --replace", again.Err, StringComparison.Ordinal);

        CliResult replaced = await Cli.RunAsync(["demo", "--root", root, "--replace"]);
        Assert.True(replaced.ExitCode == 0, replaced.Err);
        Assert.Contains("demo complete:", replaced.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_replace_never_deletes_a_host_folder_that_is_not_an_emulated_host()
    {
        string root = Path.Join(_hosts.Root, "mine");
        string precious = Path.Join(root, "host-a", "notes.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(precious)!);
        File.WriteAllText(precious, "keep me");

        CliResult r = await Cli.RunAsync(["demo", "--root", root, "--replace"]);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("is not an emulated host, so --replace does not delete it", r.Err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(precious));
    }

    [Fact]
    public async Task Demo_tells_each_refusal_and_rollback_once_in_its_story_with_nothing_on_stderr()
    {
        CliResult demo = await Cli.RunAsync(["demo"]);

        Assert.True(demo.ExitCode == 0, demo.Err);
        Assert.Empty(demo.Err);
        string all = demo.Out + demo.Err;
        Assert.Single(all.Split('\n'), l => l.Contains("E3002 parameter-unknown-to-destination", StringComparison.Ordinal));
        Assert.Single(all.Split('\n'), l => l.Contains("refused with E4003", StringComparison.Ordinal));
        Assert.DoesNotContain("rollingback", all, StringComparison.Ordinal);
        Assert.DoesNotContain("\\n", all, StringComparison.Ordinal);
        Assert.Contains("   migrate: rolling back after 1000 B\n   migrate: rolled back, 1000 B had moved\n", demo.Out, StringComparison.Ordinal);
        Assert.Contains("demo complete: one refusal before anything moved, one migration with equal state, one fault rolled back", demo.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_after_a_rollback_ends_rolled_back_not_finished()
    {
        var lines = new StringWriter();
        var progress = new ProgressDisplay.QuietLines(lines, "migrate");

        progress.Report(new MigrationProgress(MigrationPhase.StopCopy, 1000, 0));
        progress.Report(new MigrationProgress(MigrationPhase.RollingBack, 1000, 0));
        progress.Report(new MigrationProgress(MigrationPhase.Finished, 1000, 0));

        Assert.Equal("migrate: stop-copy, 1000 B sent\nmigrate: rolling back after 1000 B\nmigrate: rolled back, 1000 B had moved\n", lines.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_logged_with_several_problems_is_one_line_without_literal_newlines()
    {
        await StartOnA(Source, "version=3,rx-filter-size=64");

        CliResult r = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);

        Assert.Equal(ExitCodes.Incompatible, r.ExitCode);
        string warning = Assert.Single(r.Err.Split('\n'), l => l.Contains("MigrationOrchestrator[601]", StringComparison.Ordinal));
        Assert.Contains("E3002", warning, StringComparison.Ordinal);
        Assert.Contains("; E", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("\\n", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_migrate_says_the_source_is_untouched_and_names_no_destination_that_never_existed()
    {
        await StartOnA(Source, "version=3");

        CliResult r = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);

        Assert.Equal(ExitCodes.Incompatible, r.ExitCode);
        Assert.Contains($"source {Source} untouched", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", r.Err.Replace("parameter-unknown-to-destination", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", r.Err.Replace(Source, "", StringComparison.Ordinal));
        Assert.Contains("migration to 0000:00:03.0/mynic-4q refused", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_config_of_start_without_uuid_names_no_generated_device_and_creates_none()
    {
        CliResult r = await OnA("start", "-p", Parent, "-t", Type, "--config", "version=9");

        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("error E2008 version-unknown: model vendor-a.com/my-nic has no version '9'", r.Err, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"[0-9a-f]{8}-[0-9a-f]{4}-", r.Err);
        Assert.Empty((await OnA("list")).Out);
        Assert.DoesNotMatch(@"[0-9a-f]{8}-[0-9a-f]{4}-", (await OnA("define", "-p", Parent, "-t", Type, "--config", "bogus=1")).Err);
    }

    [Fact]
    public async Task List_shows_a_saved_source_as_stopped_with_its_state_moved_away_not_active()
    {
        await StartOnA(Source, "version=1");
        string stream = Path.Join(_hosts.Root, "saved.bin");
        Assert.Equal(0, (await OnA("save", Source, "-o", stream)).ExitCode);

        string row = Assert.Single((await OnA("list")).Out.Split('\n'), l => l.StartsWith(Source, StringComparison.Ordinal));

        Assert.Contains("stopped, moved away (stream-sent)", row, StringComparison.Ordinal);
        Assert.DoesNotContain("active", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_defined_shows_each_parameter_once_the_model_and_a_pending_modify()
    {
        Assert.Equal(0, (await OnA("define", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3")).ExitCode);

        string defined = Assert.Single((await OnA("list", "--defined")).Out.Split('\n'), l => l.StartsWith(Source, StringComparison.Ordinal));
        Assert.Matches(@"defined\s+vendor-a\.com/my-nic\s+rss=on,rx-filter-size=32$", defined);

        Assert.Equal(0, (await OnA("start", "-u", Source)).ExitCode);
        Assert.Equal(0, (await OnA("modify", "-u", Source, "--config", "version=1")).ExitCode);
        string pending = Assert.Single((await OnA("list", "--defined")).Out.Split('\n'), l => l.StartsWith(Source, StringComparison.Ordinal));
        Assert.EndsWith("rss=on,rx-filter-size=32 (definition, at the next start: rss=off,rx-filter-size=0)", pending, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_never_wrap_a_cell_and_leave_no_trailing_spaces()
    {
        var output = new StringWriter();
        var console = new CliConsole(output, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false);
        string longName = "stats/" + new string('x', 200) + "-bytes";
        var table = Tables.Create("Parameter", "Value", "");
        table.AddRow(Tables.Cells(longName, new string('v', 150), ""));

        console.Tables.Write(table);

        string[] lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Parameter", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(longName, lines[1], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.False(l.EndsWith(' '), $"trailing spaces: '{l}'"));
    }

    [Theory]
    [InlineData("list", "-u, --uuid <uuid>")]
    [InlineData("define", "-p, --parent <parent>")]
    [InlineData("define", "-t, --type <type>")]
    public async Task Help_names_the_value_of_each_option_that_takes_one(string verb, string expected)
    {
        CliResult r = await Cli.RunAsync([verb, "--help"]);

        Assert.Contains(expected, r.Out, StringComparison.Ordinal);
    }
}
