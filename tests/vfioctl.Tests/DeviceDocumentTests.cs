using System.Text;
using System.Text.Json;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 20: the device document travels (describe --json | check --device - | start --like -), the stop-copy estimate
/// is shown, --force overrides only what can be forced and logs it, and load refuses a destination that has run.
/// </summary>
public sealed class DeviceDocumentTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000aa";
    private const string Other = "a0000000-0000-4000-8000-0000000000bb";
    private const string Fresh = "a0000000-0000-4000-8000-0000000000cc";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private Task<CliResult> OnB(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostB, .. args]);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private string MigrationLog(string host) =>
        File.Exists(Path.Join(host, "var/lib/vfio-migrate/migration.log")) ? File.ReadAllText(Path.Join(host, "var/lib/vfio-migrate/migration.log")) : "";

    private async Task Start(string uuid, string config, bool onB = false)
    {
        string[] args = ["start", "-u", uuid, "-p", Parent, "-t", Type, "--config", config];
        CliResult r = await (onB ? OnB(args) : OnA(args));
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public async Task Describe_json_pipes_into_check_and_start_like_which_creates_the_same_configuration_on_the_other_host()
    {
        await Start(Source, "version=2,rx-filter-size=16");

        CliResult described = await OnA("describe", Source, "--json");
        CliResult checkedDoc = await Cli.RunAsync(["--emulated", _hosts.HostA, "check", "--device", "-", "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB], Utf8(described.Out));
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostB, "start", "--like", "-", "-p", Parent, "-t", Type], Utf8(described.Out));

        Assert.True(described.ExitCode == 0, described.Err);
        using (JsonDocument doc = JsonDocument.Parse(described.Out))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal("vendor-a.com/my-nic", root.GetProperty("model").GetString());
            Assert.Equal("rx-filter-size=16", root.GetProperty("configuration").GetString());
            Assert.Equal((Source, Type, Parent), (root.GetProperty("uuid").GetString(), root.GetProperty("type").GetString(), root.GetProperty("parent").GetString()));
            Assert.Equal("16", root.GetProperty("parameters").GetProperty("rx-filter-size").GetString());
            Assert.Equal("off", root.GetProperty("parameters").GetProperty("rss").GetString());
            // Never opened: describe does not open it (that would freeze its parameters), and says why there is no estimate.
            Assert.False(root.TryGetProperty("protocol", out _));
            Assert.False(root.TryGetProperty("stopCopyBytes", out _));
            Assert.Contains("not opened", root.GetProperty("stopCopyUnknown").GetString(), StringComparison.Ordinal);
        }
        Assert.True(checkedDoc.ExitCode == 0, checkedDoc.Out + checkedDoc.Err);
        Assert.Contains($"source       device {Source} (from stdin)", checkedDoc.Out, StringComparison.Ordinal);
        Assert.Contains("result       compatible", checkedDoc.Out, StringComparison.Ordinal);
        Assert.True(started.ExitCode == 0, started.Err);
        string created = started.Out.Trim();
        Assert.Matches("^[0-9a-f-]{36}$", created);
        CliResult again = await OnB("describe", created, "--json");
        using JsonDocument createdDoc = JsonDocument.Parse(again.Out);
        Assert.Equal("rx-filter-size=16", createdDoc.RootElement.GetProperty("configuration").GetString());
        Assert.Equal("vendor-a.com/my-nic", createdDoc.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Check_and_start_like_read_the_document_from_a_file_too()
    {
        await Start(Source, "version=2,rx-filter-size=8");
        string file = Path.Join(_hosts.Root, "dev.json");
        await File.WriteAllTextAsync(file, (await OnA("describe", Source, "--json")).Out);

        CliResult check = await OnA("check", "--device", file, "--to-type", $"{Parent}/{Type}");
        CliResult start = await OnA("start", "--like", file, "-u", Fresh, "-p", Parent, "-t", Type);

        Assert.Equal(0, check.ExitCode);
        Assert.True(start.ExitCode == 0, start.Err);
        Assert.Equal(string.Empty, start.Out);
        Assert.Contains("configuration rx-filter-size=8", (await OnA("describe", Fresh)).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_opened_device_shows_its_stop_copy_estimate_in_describe_in_its_document_and_in_check()
    {
        await Start(Source, "version=2,rx-filter-size=16");

        CliResult text = await OnA("describe", Source, "--open");
        CliResult json = await OnA("describe", Source, "--json");
        CliResult check = await OnA("check", "-u", Source, "--to-type", $"{Parent}/{Type}");
        CliResult checkDoc = await Cli.RunAsync(["--emulated", _hosts.HostA, "check", "--device", "-", "--to-type", $"{Parent}/{Type}"], Utf8(json.Out));

        Assert.Matches(@"stop-copy     \d+ bytes \(MIG_DATA_SIZE estimate\)", text.Out);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        ulong bytes = doc.RootElement.GetProperty("stopCopyBytes").GetUInt64();
        Assert.True(bytes > 0);
        Assert.Contains($"stop-copy     {bytes} bytes", text.Out, StringComparison.Ordinal);
        Assert.Equal("v2", doc.RootElement.GetProperty("protocol").GetString());
        Assert.Contains("STOP_COPY", doc.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.False(doc.RootElement.TryGetProperty("stopCopyUnknown", out _));
        Assert.Contains($"stop-copy    {bytes} bytes (MIG_DATA_SIZE estimate)", check.Out, StringComparison.Ordinal);
        Assert.Contains($"stop-copy    {bytes} bytes (MIG_DATA_SIZE estimate)", checkDoc.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hand_written_document_stating_a_feature_off_passes_a_destination_without_it_when_a_description_of_the_model_says_off_is_its_off_value()
    {
        // Only the model and 'rss=off': no parameter table, so the document does not say that off is rss's off value.
        string doc = Path.Join(_hosts.Root, "hand.json");
        await File.WriteAllTextAsync(doc, """{"model": "vendor-a.com/my-nic", "configuration": "rss=off"}""");
        string onDoc = Path.Join(_hosts.Root, "hand-on.json");
        await File.WriteAllTextAsync(onDoc, """{"model": "vendor-a.com/my-nic", "configuration": "rss=on"}""");

        // host-a's type knows rss (off is its off value); host-b's lacks it.
        CliResult off = await OnA("check", "--device", doc, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);
        CliResult on = await OnA("check", "--device", onDoc, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB);

        Assert.True(off.ExitCode == 0, off.Out + off.Err);
        Assert.Contains("result       compatible", off.Out, StringComparison.Ordinal);
        Assert.Equal(2, on.ExitCode);
        Assert.Contains("E3002 parameter-unknown-to-destination", on.Out, StringComparison.Ordinal);
        Assert.Contains("it is on (rss=on, off is off)", on.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v1_device_says_why_it_has_no_estimate()
    {
        await Start(Other, "version=1", onB: true);

        CliResult text = await OnB("describe", Other, "--open");
        CliResult json = await OnB("describe", Other, "--json");

        Assert.Contains("stop-copy     unknown (v1 protocol: pending_bytes exists only while saving)", text.Out, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal("v1", doc.RootElement.GetProperty("protocol").GetString());
        Assert.Empty(doc.RootElement.GetProperty("features").EnumerateArray());
        Assert.Contains("v1 protocol", doc.RootElement.GetProperty("stopCopyUnknown").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_like_refuses_a_destination_type_that_cannot_run_the_document_with_the_checks_codes_and_creates_nothing()
    {
        await Start(Source, "version=3");
        CliResult described = await OnA("describe", Source, "--json");

        CliResult refused = await Cli.RunAsync(["--emulated", _hosts.HostB, "start", "--like", "-", "-p", Parent, "-t", Type], Utf8(described.Out));

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("E3002 parameter-unknown-to-destination", refused.Err, StringComparison.Ordinal);
        Assert.Contains("nothing was created", refused.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, refused.Out);
        Assert.Equal(string.Empty, (await OnB("list")).Out);
        // The only UUID any message names is the source's: no freshly generated one of a device that never existed.
        Assert.All(System.Text.RegularExpressions.Regex.Matches(refused.Err, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), m => Assert.Equal(Source, m.Value));
        Assert.DoesNotContain("forced", MigrationLog(_hosts.HostB), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_like_force_logs_the_overridden_refusal_everywhere_and_the_type_still_validates_the_configuration()
    {
        await Start(Source, "version=3");
        CliResult described = await OnA("describe", Source, "--json");

        CliResult forced = await Cli.RunAsync(["--emulated", _hosts.HostB, "start", "--like", "-", "-p", Parent, "-t", Type, "--force"], Utf8(described.Out));

        Assert.Contains("warning: forced past E3002 parameter-unknown-to-destination", forced.Err, StringComparison.Ordinal);
        Assert.Contains("warning MigrationOrchestrator[613]", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"start --like --force {Source}: forced past E3002 parameter-unknown-to-destination", MigrationLog(_hosts.HostB), StringComparison.Ordinal);
        // The old type does not know 'rss' at all: the pinned creation still refuses it, and nothing is left.
        Assert.Equal(1, forced.ExitCode);
        Assert.Contains("error E2005 parameter-unknown", forced.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await OnB("list")).Out);
    }

    [Fact]
    public async Task A_model_mismatch_is_never_forced_and_nothing_is_logged_as_forced()
    {
        string document = """{"model": "vendor-b.com/other-nic", "configuration": ""}""";

        CliResult forced = await Cli.RunAsync(["--emulated", _hosts.HostB, "start", "--like", "-", "-p", Parent, "-t", Type, "--force"], Utf8(document));

        Assert.Equal(2, forced.ExitCode);
        Assert.Contains("E3001 model-mismatch", forced.Err, StringComparison.Ordinal);
        Assert.Contains("--force does not override E3001", forced.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("forced past", forced.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, MigrationLog(_hosts.HostB));
        Assert.Equal(string.Empty, (await OnB("list")).Out);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"model": "vendor-a.com/my-nic"}""")]
    [InlineData("""{"model": "vendor-a.com/my-nic", "configuration": "rx-filter-size=16", "parameters": {"rx-filter-size": "8"}}""")]
    public async Task A_garbage_document_is_refused_with_document_invalid(string document)
    {
        CliResult check = await Cli.RunAsync(["--emulated", _hosts.HostA, "check", "--device", "-", "--to-type", $"{Parent}/{Type}"], Utf8(document));
        CliResult start = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "--like", "-", "-p", Parent, "-t", Type], Utf8(document));

        Assert.Equal(1, check.ExitCode);
        Assert.StartsWith("error E2009 document-invalid", check.Err, StringComparison.Ordinal);
        Assert.Equal(1, start.ExitCode);
        Assert.StartsWith("error E2009 document-invalid", start.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await OnA("list")).Out);
    }

    [Fact]
    public async Task A_huge_document_on_stdin_and_a_fifo_are_refused_with_document_invalid()
    {
        byte[] huge = new byte[CliFilesLimit + 1];
        Array.Fill(huge, (byte)' ');
        CliResult big = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "--like", "-", "-p", Parent, "-t", Type], huge);
        string fifo = Path.Join(_hosts.Root, "dev.fifo");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(fifo));
        CliResult pipe = await OnA("check", "--device", fifo, "--to-type", $"{Parent}/{Type}");

        Assert.StartsWith("error E2009 document-invalid", big.Err, StringComparison.Ordinal);
        Assert.Contains("larger than", big.Err, StringComparison.Ordinal);
        Assert.StartsWith("error E2009 document-invalid", pipe.Err, StringComparison.Ordinal);
        Assert.Contains("not a regular file", pipe.Err, StringComparison.Ordinal);
    }

    private const int CliFilesLimit = 4 * 1024 * 1024;

    [Fact]
    public async Task Start_like_reads_no_document_from_a_terminal()
    {
        CliResult r = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "--like", "-", "-p", Parent, "-t", Type], inputIsTerminal: true);

        Assert.Equal(64, r.ExitCode);
        Assert.Contains("from a terminal", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_refuses_a_destination_that_has_run_before_anything_moves_and_force_loads_it_logged()
    {
        await Start(Source, "version=2,rx-filter-size=16");
        await Start(Other, "version=2,rx-filter-size=16");
        Assert.Equal(0, (await OnA("traffic", Source, "-n", "200", "--seed", "1")).ExitCode);
        Assert.Equal(0, (await OnA("traffic", Other, "-n", "50", "--seed", "2")).ExitCode);
        string before = (await OnA("describe", Other, "--state")).Out;
        CliResult saved = await OnA("save", Source, "-o", "-");
        Assert.True(saved.ExitCode == 0, saved.Err);
        byte[] truncated = saved.Stdout[..(saved.Stdout.Length / 2)];

        CliResult refused = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other], saved.Stdout);
        CliResult refusedTruncated = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other], truncated);
        CliResult refusedEmpty = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other], []);

        foreach (CliResult r in new[] { refused, refusedTruncated, refusedEmpty })
        {
            Assert.True(r.ExitCode == 1, r.Err);
            Assert.Contains("error E6041 destination-has-run", r.Err, StringComparison.Ordinal);
        }
        // Nothing moved: the destination still runs its own state.
        string after = (await OnA("describe", Other, "--state")).Out;
        Assert.Contains("state         RUNNING", after, StringComparison.Ordinal);
        Assert.Equal(before, after);
        Assert.Equal(string.Empty, MigrationLog(_hosts.HostA).Split('\n').Where(l => l.Contains("forced", StringComparison.Ordinal)).FirstOrDefault() ?? string.Empty);

        CliResult forced = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Other, "--force"], saved.Stdout);

        Assert.True(forced.ExitCode == 0, forced.Err);
        Assert.Contains("warning: forced past E6041 destination-has-run", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"load --force {Other}: forced past E6041 destination-has-run", MigrationLog(_hosts.HostA), StringComparison.Ordinal);
        Assert.NotEqual(before, (await OnA("describe", Other, "--state")).Out);
    }

    [Fact]
    public async Task Load_into_a_fresh_device_needs_no_force()
    {
        await Start(Source, "version=2,rx-filter-size=16");
        await Start(Fresh, "version=2,rx-filter-size=16");
        CliResult saved = await OnA("save", Source, "-o", "-");

        CliResult loaded = await Cli.RunAsync(["--emulated", _hosts.HostA, "load", Fresh], saved.Stdout);

        Assert.True(loaded.ExitCode == 0, loaded.Err);
        Assert.DoesNotContain("forced", loaded.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_to_an_existing_device_that_has_run_is_refused_like_load_and_force_proceeds_logged()
    {
        await Start(Source, "version=2,rx-filter-size=16");
        await Start(Other, "version=2,rx-filter-size=16");
        Assert.Equal(0, (await OnA("traffic", Other, "-n", "50", "--seed", "2")).ExitCode);
        string before = (await OnA("describe", Other, "--state")).Out;

        CliResult refused = await OnA("migrate", Source, "--to", Other);

        Assert.True(refused.ExitCode == 1, refused.Err);
        Assert.Contains("error E6041 destination-has-run", refused.Err, StringComparison.Ordinal);
        Assert.Equal(before, (await OnA("describe", Other, "--state")).Out);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source, "--state")).Out, StringComparison.Ordinal);
        Assert.DoesNotContain("forced", MigrationLog(_hosts.HostA), StringComparison.Ordinal);

        CliResult forced = await OnA("migrate", Source, "--to", Other, "--force");

        Assert.True(forced.ExitCode == 0, forced.Err);
        Assert.Contains("warning: forced past E6041 destination-has-run", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"migrate --force {Other}: forced past E6041 destination-has-run", MigrationLog(_hosts.HostA), StringComparison.Ordinal);
        Assert.NotEqual(before, (await OnA("describe", Other, "--state")).Out);
        Assert.Contains("state         STOP", (await OnA("describe", Source, "--state")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_refuses_a_configuration_mismatch_and_force_proceeds_logged()
    {
        await Start(Source, "version=2,rx-filter-size=16");
        await Start(Other, "version=2,rx-filter-size=8");

        CliResult refused = await OnA("migrate", Source, "--to", Other);
        CliResult forced = await OnA("migrate", Source, "--to", Other, "--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("E3005 configuration-mismatch", refused.Err, StringComparison.Ordinal);
        Assert.Contains("warning: forced past E3005 configuration-mismatch", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"migrate --force {Source}: forced past E3005 configuration-mismatch", MigrationLog(_hosts.HostA), StringComparison.Ordinal);
        // Past the override the device decides: the sample NIC refuses a filter table larger than it runs, and the source runs again.
        Assert.Equal(3, forced.ExitCode);
        Assert.Contains("error E4003 device-in-error-state", forced.Err, StringComparison.Ordinal);
        Assert.Contains("rx-filter-size=8", forced.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source, "--open")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_force_does_not_pass_a_model_mismatch_or_a_corrupt_stream()
    {
        await Start(Source, "version=2,rx-filter-size=16");
        Assert.Equal(0, (await OnA("fault", Source, "--corrupt-byte", "0")).ExitCode);

        CliResult r = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--force");

        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("forced past", r.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source, "--open")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_force_to_a_type_that_does_not_know_a_parameter_logs_the_override_then_fails_creating_it_with_the_source_running()
    {
        await Start(Source, "version=3");

        CliResult forced = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB, "--force");

        Assert.Contains("warning: forced past E3002 parameter-unknown-to-destination", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"migrate --force {Source}: forced past E3002", MigrationLog(_hosts.HostA), StringComparison.Ordinal);
        Assert.Equal(1, forced.ExitCode);
        Assert.Contains("error E2005 parameter-unknown", forced.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await OnB("list")).Out);
        Assert.Contains("state         RUNNING", (await OnA("describe", Source, "--open")).Out, StringComparison.Ordinal);
    }
}
