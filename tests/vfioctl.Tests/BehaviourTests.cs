using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Sysfs;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Commands.Types;

namespace Vfio.Tests.Vfioctl;

/// <summary>The verbs against real emulated hosts (temp directories), through the real root and error handler.</summary>
public sealed class BehaviourTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000aa";
    private const string Other = "a0000000-0000-4000-8000-0000000000bb";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private Task<CliResult> OnB(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostB, .. args]);

    private async Task Start(string uuid, string config, bool onB = false)
    {
        CliResult r = await (onB ? OnB("start", "-u", uuid, "-p", Parent, "-t", Type, "--config", config) : OnA("start", "-u", uuid, "-p", Parent, "-t", Type, "--config", config));
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public void Types_command_class_lists_the_type_with_its_model_and_free_instances()
    {
        var output = new StringWriter();
        var console = new CliConsole(output, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false);
        var host = new MdevHost(new EmulatedSysfs(new SysfsLayout(_hosts.HostB, Path.Join(_hosts.HostB, "manifests")), TimeSpan.FromSeconds(5)));

        int code = new TypesCommand(host, console).Execute(null, dumpJson: false);

        Assert.Equal(0, code);
        string line = output.ToString().Split('\n').Single(l => l.Contains(Type, StringComparison.Ordinal));
        Assert.Contains(Parent, line, StringComparison.Ordinal);
        Assert.Contains("vendor-a.com/my-nic (latest version 2)", line, StringComparison.Ordinal);
        Assert.Matches(@"\s4\s", line);
    }

    [Fact]
    public async Task Start_pins_the_expanded_configuration_and_describe_shows_it()
    {
        await Start(Source, "version=2,rx-filter-size=16");

        CliResult describe = await OnA("describe", Source);

        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("configuration rx-filter-size=16", describe.Out, StringComparison.Ordinal);
        Assert.Contains("not opened yet", describe.Out, StringComparison.Ordinal);
        CliResult opened = await OnA("describe", Source, "--open");
        Assert.Contains("protocol      v2", opened.Out, StringComparison.Ordinal);
        Assert.Contains("STOP_COPY", opened.Out, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", opened.Out, StringComparison.Ordinal);
        CliResult onOldHost = await Cli.RunAsync(["--emulated", _hosts.HostB, "start", "-u", Other, "-p", Parent, "-t", Type, "--config", "version=1"]);
        Assert.Equal(0, onOldHost.ExitCode);
        Assert.Contains("protocol      v1", (await OnB("describe", Other, "--open")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_the_model_does_not_allow_fails_with_its_code_and_leaves_no_device()
    {
        CliResult r = await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=2,rss=maybe");

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error E2007 value-not-allowed: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("'rss'", r.Err, StringComparison.Ordinal);
        Assert.Contains("see docs/errors.md#e2007-value-not-allowed", r.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await OnA("list")).Out);
    }

    [Fact]
    public async Task Define_start_stop_undefine_follow_mdevctl()
    {
        Assert.Equal(0, (await OnA("define", "-u", Source, "-p", Parent, "-t", Type, "--auto", "--config", "version=2")).ExitCode);
        Assert.Equal(0, (await OnA("modify", "-u", Source, "--config", "version=2,rx-filter-size=8")).ExitCode);

        string defined = (await OnA("list", "--defined")).Out;
        Assert.Contains("rx-filter-size=8", defined, StringComparison.Ordinal);
        Assert.Contains("auto", defined, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await OnA("list")).Out);

        Assert.Equal(0, (await OnA("start", "-u", Source)).ExitCode);
        Assert.Contains("configuration rx-filter-size=8", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
        Assert.Contains("defined, active", (await OnA("list", "--defined")).Out, StringComparison.Ordinal);

        Assert.Equal(0, (await OnA("stop", "-u", Source)).ExitCode);
        Assert.Equal(0, (await OnA("undefine", "-u", Source)).ExitCode);
        Assert.Equal(string.Empty, (await OnA("list", "--defined")).Out);
        CliResult gone = await OnA("describe", Source);
        Assert.Equal(1, gone.ExitCode);
        Assert.StartsWith("error E6005 device-not-found:", gone.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_lists_every_problem_with_its_code_and_exits_2_or_0()
    {
        await Start(Source, "version=3");
        await Start(Other, "version=1");

        CliResult refused = await OnA("check", "-u", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);
        CliResult accepted = await OnA("check", "-u", Other, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("E3002 parameter-unknown-to-destination", refused.Out, StringComparison.Ordinal);
        Assert.Contains("'rss'", refused.Out, StringComparison.Ordinal);
        Assert.Contains("result       incompatible", refused.Out, StringComparison.Ordinal);
        Assert.Equal(0, accepted.ExitCode);
        Assert.Contains("result       compatible", accepted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Define_from_a_running_device_records_its_configuration_and_check_accepts_an_equal_destination()
    {
        await Start(Source, "version=2,rx-filter-size=8");
        await Start(Other, "version=2,rx-filter-size=8", onB: true);

        Assert.Equal(0, (await OnA("define", "-u", Source)).ExitCode);
        CliResult json = await OnA("list", "--defined", "--dumpjson");
        CliResult check = await OnA("check", "-u", Source, "--to", Other, "--to-root", _hosts.HostB);
        await Start("a0000000-0000-4000-8000-0000000000cc", "version=1", onB: true);
        CliResult mismatch = await OnA("check", "-u", Source, "--to", "a0000000-0000-4000-8000-0000000000cc", "--to-root", _hosts.HostB);

        Assert.Contains("\"migration/rx-filter-size\": \"8\"", json.Out, StringComparison.Ordinal);
        Assert.Equal(0, check.ExitCode);
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains("E3005 configuration-mismatch", mismatch.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_and_find_work_from_capability_documents_alone()
    {
        await Start(Source, "version=3");
        await Start(Other, "version=1");
        string fleet = Path.Join(_hosts.Root, "fleet");
        Directory.CreateDirectory(fleet);
        File.WriteAllText(Path.Join(fleet, "a.json"), (await OnA("capabilities", "--host-name", "host-a")).Out);
        File.WriteAllText(Path.Join(fleet, "b.json"), (await OnB("capabilities", "--host-name", "host-b")).Out);

        CliResult toB = await OnA("check", "-u", Source, "--to-host", Path.Join(fleet, "b.json"));
        CliResult newOnly = await OnA("find", fleet, "-u", Source);
        CliResult both = await OnA("find", fleet, "-u", Other);

        Assert.Equal(2, toB.ExitCode);
        Assert.Contains("E3002", toB.Out, StringComparison.Ordinal);
        Assert.Equal(0, newOnly.ExitCode);
        Assert.Contains("1 candidate(s) among 2 host(s)", newOnly.Out, StringComparison.Ordinal);
        Assert.Contains("host-a", newOnly.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("host-b", newOnly.Out, StringComparison.Ordinal);
        Assert.Contains("2 candidate(s)", both.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_then_load_moves_the_state_and_the_source_stays_stopped_until_abort()
    {
        await Start(Source, "version=2");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "500", "--seed", "3")).ExitCode);
        string before = StateTable((await OnA("describe", Source, "--state")).Out);

        CliResult save = await OnA("save", Source);
        CliResult load = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other, "-p", Parent, "-t", Type], save.Stdout);

        Assert.True(save.ExitCode == 0, save.Err);
        Assert.Empty(save.Out);
        Assert.Contains("save: stop-copy", save.Err, StringComparison.Ordinal);
        Assert.True(load.ExitCode == 0, load.Err);
        Assert.Equal(before, StateTable((await OnA("describe", Other, "--state")).Out));
        Assert.Contains("state         STOP", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
        Assert.Equal(0, (await OnA("abort", Source)).ExitCode);
    }

    [Fact]
    public async Task Save_and_load_over_four_channels_move_the_state()
    {
        await Start(Source, "version=2");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "500", "--seed", "3")).ExitCode);
        string before = StateTable((await OnA("describe", Source, "--state")).Out);
        string file = Path.Join(_hosts.Root, "state.vfiomig");

        CliResult save = await OnA("save", Source, "--channels", "4", "--chunk-size", "512", "-o", file);
        CliResult load = await OnA("load", Other, "-p", Parent, "-t", Type, "--channels", "4", "-i", file);

        Assert.True(save.ExitCode == 0, save.Err);
        Assert.All(new[] { file, file + ".1", file + ".2", file + ".3" }, f => Assert.True(new FileInfo(f).Length > 512, f));
        Assert.False(File.Exists(file + ".4"));
        Assert.True(load.ExitCode == 0, load.Err);
        Assert.Equal(before, StateTable((await OnA("describe", Other, "--state")).Out));
    }

    [Fact]
    public async Task Load_of_a_channel_set_with_a_channel_missing_or_swapped_is_refused_before_the_destination_exists()
    {
        await Start(Source, "version=2");
        string file = Path.Join(_hosts.Root, "state.vfiomig");
        Assert.Equal(0, (await OnA("save", Source, "--channels", "3", "--chunk-size", "512", "-o", file)).ExitCode);

        File.Move(file + ".1", file + ".tmp");
        File.Move(file + ".2", file + ".1");
        File.Move(file + ".tmp", file + ".2");
        CliResult swapped = await OnA("load", Other, "-p", Parent, "-t", Type, "--channels", "3", "-i", file);
        File.Delete(file + ".2");
        CliResult missing = await OnA("load", Other, "-p", Parent, "-t", Type, "--channels", "3", "-i", file);
        CliResult single = await OnA("load", Other, "-p", Parent, "-t", Type, "-i", file);

        Assert.NotEqual(0, swapped.ExitCode);
        Assert.Contains("error E5010 stream-channel-mismatch: ", swapped.Err, StringComparison.Ordinal);
        Assert.Contains("error E5011 stream-channel-missing: ", missing.Err, StringComparison.Ordinal);
        Assert.Contains("--channels 3", single.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", swapped.Err + missing.Err + single.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await OnA("describe", Other)).ExitCode);
    }

    [Fact]
    public async Task Migrate_over_two_channels_moves_the_state()
    {
        await Start(Source, "version=2");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "500", "--seed", "5")).ExitCode);
        string before = StateTable((await OnA("describe", Source, "--state")).Out);

        CliResult migrate = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Other, "--channels", "2", "--chunk-size", "512");

        Assert.True(migrate.ExitCode == 0, migrate.Err);
        Assert.Equal(before, StateTable((await OnA("describe", Other, "--state")).Out));
    }

    [Fact]
    public async Task Channels_with_stdout_is_a_usage_error()
    {
        await Start(Source, "version=2");
        string before = (await OnA("describe", Source)).Out;

        CliResult save = await OnA("save", Source, "--channels", "2");

        Assert.NotEqual(0, save.ExitCode);
        Assert.Contains("--channels 2 needs -o FILE", save.Err, StringComparison.Ordinal);
        Assert.Equal(before, (await OnA("describe", Source)).Out);
    }

    [Fact]
    public async Task Resume_runs_a_saved_source_again()
    {
        await Start(Source, "version=1");
        string file = Path.Join(_hosts.Root, "state.bin");
        Assert.Equal(0, (await OnA("save", Source, "-o", file)).ExitCode);
        Assert.True(new FileInfo(file).Length > 0);

        // The whole stream left the source: the operator, who knows the stream was never loaded, forces the resume.
        Assert.Equal(1, (await OnA("resume", Source)).ExitCode);
        CliResult resume = await OnA("resume", "--force", Source);

        Assert.True(resume.ExitCode == 0, resume.Err);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_is_not_a_migration_stream_is_refused_with_a_stream_code()
    {
        await Start(Other, "version=1");

        CliResult load = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other], "this is not a migration stream"u8.ToArray());

        Assert.Equal(4, load.ExitCode);
        Assert.Matches(@"error E500\d [a-z-]+: ", load.Err);
    }

    [Fact]
    public async Task A_failed_migration_exits_3_and_leaves_the_source_running()
    {
        await Start(Source, "version=1");
        Assert.Equal(0, (await OnA("traffic", Source)).ExitCode);
        Assert.Equal(0, (await OnA("fault", Source, "--cut-after", "500")).ExitCode);

        CliResult migrate = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Other, "--to-root", _hosts.HostB);

        Assert.Equal(3, migrate.ExitCode);
        Assert.StartsWith("error E4", migrate.Err.Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
        Assert.Equal(1, (await OnB("describe", Other)).ExitCode);
    }

    [Fact]
    public async Task Saved_state_corrupted_past_the_preamble_fails_migrate_with_E4012_and_the_source_keeps_running()
    {
        // Issue 20: the fault changes byte 300 of what the source driver delivers, before the envelope computes its
        // CRC; only the device-state format's own checksum sees it.
        await Start(Source, "version=1");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "300")).ExitCode);
        string stateBefore = (await OnA("describe", Source, "--state")).Out;
        Assert.Equal(0, (await OnA("fault", Source, "--corrupt-byte", "300")).ExitCode);

        CliResult migrate = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Other, "--to-root", _hosts.HostB);

        Assert.Equal(3, migrate.ExitCode);
        Assert.Contains("error E4012 device-state-checksum-mismatch: ", migrate.Err, StringComparison.Ordinal);
        Assert.Contains("see docs/errors.md#e4012-device-state-checksum-mismatch", migrate.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
        string listed = (await OnA("list")).Out.Split('\n').Single(l => l.StartsWith(Source, StringComparison.Ordinal));
        Assert.DoesNotContain("moved away", listed, StringComparison.Ordinal);
        Assert.Equal(1, (await OnB("describe", Other)).ExitCode);
        Assert.Equal(0, (await OnA("fault", Source, "--clear")).ExitCode);
        Assert.Equal(stateBefore, (await OnA("describe", Source, "--state")).Out);
    }

    [Fact]
    public async Task A_saved_stream_whose_device_state_was_corrupted_is_refused_by_load_with_E4012()
    {
        await Start(Source, "version=1");
        Assert.Equal(0, (await OnA("fault", Source, "--corrupt-byte", "5000")).ExitCode);
        CliResult save = await OnA("save", Source);
        Assert.True(save.ExitCode == 0, save.Err);   // the envelope is sound: it checksummed the bytes it was given

        CliResult load = await Cli.RunAsync(["--emulated", _hosts.HostB, "load", Other, "-p", Parent, "-t", Type], save.Stdout);

        Assert.Equal(3, load.ExitCode);
        Assert.StartsWith("error E4012 device-state-checksum-mismatch: ", load.Err.Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(1, (await OnB("describe", Other)).ExitCode);
    }

    [Fact]
    public async Task Migrate_across_emulated_hosts_runs_only_the_destination()
    {
        await Start(Source, "version=2");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "300")).ExitCode);

        CliResult migrate = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Other, "--to-root", _hosts.HostB);

        Assert.True(migrate.ExitCode == 0, migrate.Err);
        Assert.Contains("state         RUNNING", (await OnB("describe", Other)).Out, StringComparison.Ordinal);
        Assert.Contains("configuration rx-filter-size=32", (await OnB("describe", Other)).Out, StringComparison.Ordinal);
        Assert.Contains("state         STOP", (await OnA("describe", Source)).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_logs_the_state_arcs_to_stderr_only()
    {
        await Start(Source, "version=2");

        CliResult save = await OnA("--verbose", "save", Source);

        Assert.Equal(0, save.ExitCode);
        Assert.Contains("MigrationOrchestrator[", save.Err, StringComparison.Ordinal);
        Assert.Empty(save.Out);
        CliResult load = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other, "-p", Parent, "-t", Type], save.Stdout);
        Assert.True(load.ExitCode == 0, load.Err);
    }

    [Fact]
    public async Task Options_are_validated_at_start()
    {
        CliResult r = await Cli.RunAsync(["--sysfs-root", "relative/path", "types"]);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error E6013 options-invalid:", r.Err, StringComparison.Ordinal);
        Assert.Contains("relative/path", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_outputs_match_their_golden_files()
    {
        await Start(Source, "version=2,rx-filter-size=16");

        Golden.Match("types.json", (await OnA("types", "--dumpjson")).Out);
        Golden.Match("list.json", (await OnA("list", "--dumpjson")).Out);
        Golden.Match("capabilities-host-b.json", (await OnB("capabilities", "--host-name", "host-b")).Out);
        // --json is the same option on list and types, as on every other read verb.
        Assert.Equal((await OnA("types", "--dumpjson")).Out, (await OnA("types", "--json")).Out);
        Assert.Equal((await OnA("list", "--dumpjson")).Out, (await OnA("list", "--json")).Out);
    }

    [Fact]
    public async Task Uuid_completion_offers_the_devices_of_the_named_host()
    {
        await Start(Source, "version=1");

        string line = $"--emulated {_hosts.HostA} stop -u ";

        CliResult suggest = await Cli.RunAsync([$"[suggest:{line.Length}]", line]);

        Assert.Equal(0, suggest.ExitCode);
        Assert.Contains(Source, suggest.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Other, suggest.Out, StringComparison.Ordinal);
    }

    // The rows of describe --state's field table: everything after its header line.
    private static string StateTable(string describe) =>
        string.Join('\n', describe.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("Field", StringComparison.Ordinal)));
}
