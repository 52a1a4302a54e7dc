using System.Text.Json;
using Vfio.Errors;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>The read verbs' --json: the table's facts as one JSON document, with the same exit codes.</summary>
public sealed class JsonOutputTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000e1";
    private const string Old = "a0000000-0000-4000-8000-0000000000e2";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private Task<CliResult> OnB(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostB, .. args]);

    private async Task Start(string uuid, string config)
    {
        CliResult r = await OnA("start", "-u", uuid, "-p", Parent, "-t", Type, "--config", config);
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public async Task Check_json_names_every_problem_with_its_code_and_facts_and_keeps_the_exit_code()
    {
        await Start(Source, "version=3");

        CliResult refused = await OnA("check", "-u", Source, "--to-type", $"{Parent}/{Type}", "--to-root", _hosts.HostB, "--json");
        CliResult accepted = await OnA("check", "-u", Source, "--to-type", $"{Parent}/{Type}", "--json");

        Assert.Equal(2, refused.ExitCode);
        using JsonDocument no = JsonDocument.Parse(refused.Out);
        Assert.False(no.RootElement.GetProperty("compatible").GetBoolean());
        Assert.Equal("vendor-a.com/my-nic", no.RootElement.GetProperty("source").GetProperty("model").GetString());
        Assert.Equal("on", no.RootElement.GetProperty("source").GetProperty("configuration").GetProperty("rss").GetString());
        JsonElement destination = Assert.Single(no.RootElement.GetProperty("destinations").EnumerateArray());
        JsonElement[] problems = [.. destination.GetProperty("problems").EnumerateArray()];
        JsonElement rss = Assert.Single(problems, p => p.GetProperty("parameter").GetString() == "rss");
        Assert.Equal("E3002", rss.GetProperty("code").GetString());
        Assert.Equal("parameter-unknown-to-destination", rss.GetProperty("name").GetString());
        Assert.Equal("on", rss.GetProperty("value").GetString());
        Assert.Equal(ErrorCatalogue.CanBeForced(ErrorCode.ParameterUnknownToDestination), rss.GetProperty("canBeForced").GetBoolean());

        Assert.Equal(0, accepted.ExitCode);
        using JsonDocument yes = JsonDocument.Parse(accepted.Out);
        Assert.True(yes.RootElement.GetProperty("compatible").GetBoolean());
        Assert.Empty(yes.RootElement.GetProperty("destinations")[0].GetProperty("problems").EnumerateArray());
        Assert.Contains("rss=on", yes.RootElement.GetProperty("destinations")[0].GetProperty("runsAs").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_json_lists_the_candidates_best_first_and_exits_2_when_none()
    {
        await Start(Source, "version=3");
        await Start(Old, "version=1");
        string fleet = Path.Join(_hosts.Root, "fleet");
        Directory.CreateDirectory(fleet);
        File.WriteAllText(Path.Join(fleet, "a.json"), (await OnA("capabilities", "--host-name", "host-a")).Out);
        File.WriteAllText(Path.Join(fleet, "b.json"), (await OnB("capabilities", "--host-name", "host-b")).Out);
        string nowhere = Path.Join(_hosts.Root, "nowhere");
        Directory.CreateDirectory(nowhere);
        File.WriteAllText(Path.Join(nowhere, "b.json"), File.ReadAllText(Path.Join(fleet, "b.json")));

        CliResult newOnly = await OnA("find", fleet, "-u", Source, "--json");
        CliResult both = await OnA("find", fleet, "-u", Old, "--json");
        CliResult none = await OnA("find", nowhere, "-u", Source, "--json");

        using JsonDocument one = JsonDocument.Parse(newOnly.Out);
        Assert.Equal(0, newOnly.ExitCode);
        Assert.Equal(2, one.RootElement.GetProperty("hosts").GetInt32());
        JsonElement candidate = Assert.Single(one.RootElement.GetProperty("candidates").EnumerateArray());
        Assert.Equal("host-a", candidate.GetProperty("host").GetString());
        Assert.Equal(Type, candidate.GetProperty("type").GetString());
        using JsonDocument two = JsonDocument.Parse(both.Out);
        int[] free = [.. two.RootElement.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("availableInstances").GetInt32())];
        Assert.Equal(2, free.Length);
        Assert.True(free[0] >= free[1], "most free instances first");
        Assert.Equal(2, none.ExitCode);
        using JsonDocument zero = JsonDocument.Parse(none.Out);
        Assert.Empty(zero.RootElement.GetProperty("candidates").EnumerateArray());
    }

    [Fact]
    public async Task Models_json_gives_each_description_as_a_migration_info_document_with_its_types()
    {
        CliResult a = await OnA("models", "--json");
        CliResult b = await OnB("models", "--json");

        Assert.Equal(0, a.ExitCode);
        using JsonDocument onA = JsonDocument.Parse(a.Out);
        JsonElement model = Assert.Single(onA.RootElement.EnumerateArray());
        Assert.Equal("vendor-a.com/my-nic", model.GetProperty("model").GetString());
        Assert.Equal([$"{Parent}/{Type}"], model.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
        JsonElement description = model.GetProperty("migrationInfo").GetProperty("models").GetProperty("vendor-a.com/my-nic");
        Assert.True(description.GetProperty("params").TryGetProperty("rss", out _));
        using JsonDocument onB = JsonDocument.Parse(b.Out);
        JsonElement old = Assert.Single(onB.RootElement.EnumerateArray());
        Assert.False(old.GetProperty("migrationInfo").GetProperty("models").GetProperty("vendor-a.com/my-nic").GetProperty("params").TryGetProperty("rss", out _));
        Assert.NotEqual(model.GetProperty("fingerprint").GetString(), old.GetProperty("fingerprint").GetString());
    }
}

/// <summary>--json on migrate, save and load: progress and the outcome as JSON lines on stderr.</summary>
public sealed class JsonProgressTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "a0000000-0000-4000-8000-0000000000e5";
    private const string Moved = "a0000000-0000-4000-8000-0000000000e6";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    private static List<JsonElement> Events(string stderr) =>
        [.. stderr.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public async Task Migrate_json_reports_each_phase_in_order_then_one_outcome_with_both_sides()
    {
        Assert.Equal(0, (await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=2")).ExitCode);

        CliResult r = await OnA("migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Moved, "--to-root", _hosts.HostB, "--json");

        Assert.True(r.ExitCode == 0, r.Err);
        List<JsonElement> events = Events(r.Err);
        Assert.True(events.Count >= 4, r.Err);
        Assert.All(events[..^1], e => Assert.Equal("progress", e.GetProperty("event").GetString()));
        string[] phases = [.. events[..^1].Select(e => e.GetProperty("phase").GetString()!).Distinct()];
        Assert.Equal("checking", phases[0]);
        Assert.Equal("finished", phases[^1]);
        Assert.Contains("stop-copy", phases);
        Assert.True(Array.IndexOf(phases, "stop-copy") < Array.IndexOf(phases, "switchover"));
        JsonElement outcome = events[^1];
        Assert.Equal("outcome", outcome.GetProperty("event").GetString());
        Assert.True(outcome.GetProperty("succeeded").GetBoolean());
        Assert.Equal(Moved, outcome.GetProperty("destination").GetProperty("uuid").GetString());
        Assert.Equal("Running", outcome.GetProperty("destination").GetProperty("state").GetString());
        Assert.Equal("Stop", outcome.GetProperty("source").GetProperty("state").GetString());
        Assert.True(outcome.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(outcome.GetProperty("bytes").GetInt64(), events[^2].GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task A_load_of_a_truncated_stream_reports_its_code_and_the_bytes_it_received_as_json()
    {
        Assert.Equal(0, (await OnA("start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=1")).ExitCode);
        string stream = Path.Join(_hosts.Root, "s.bin");
        CliResult saved = await OnA("save", Source, "-o", stream, "--json");
        byte[] whole = await File.ReadAllBytesAsync(stream);
        await File.WriteAllBytesAsync(stream, whole[..(whole.Length * 3 / 4)]);

        CliResult load = await Cli.RunAsync(["--emulated", _hosts.HostB, "load", Moved, "-i", stream, "-p", Parent, "-t", Type, "--json"]);

        Assert.True(saved.ExitCode == 0, saved.Err);
        Assert.Equal("outcome", Events(saved.Err)[^1].GetProperty("event").GetString());
        Assert.NotEqual(0, load.ExitCode);
        JsonElement outcome = Events(load.Err)[^1];
        Assert.False(outcome.GetProperty("succeeded").GetBoolean());
        Assert.StartsWith("E5", outcome.GetProperty("code").GetString(), StringComparison.Ordinal);
        long received = outcome.GetProperty("streamBytes").GetInt64();
        Assert.InRange(received, 1, whole.Length * 3 / 4);
        CliResult plain = await Cli.RunAsync(["--emulated", _hosts.HostB, "load", Moved, "-i", stream, "-p", Parent, "-t", Type]);
        Assert.Contains($"({received} stream bytes received)", plain.Err, StringComparison.Ordinal);
        Assert.Equal("removed", outcome.GetProperty("destination").GetProperty("state").GetString());
    }
}
