using System.Text.Json;
using Vfio.Tests.Shared;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>vfioctl's mdevctl verbs print what mdevctl 1.2 prints for the same definitions.</summary>
public sealed class MdevctlFidelityTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Device = "a0000000-0000-4000-8000-0000000000d1";
    private const string Absent = "a0000000-0000-4000-8000-0000000000d2";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(string configRoot, params string[] args) =>
        Cli.RunAsync(["--emulated", _hosts.HostA, "--config-root", configRoot, .. args]);

    private static string Normal(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement);
    }

    [Fact]
    public async Task List_defined_dumpjson_for_one_uuid_is_the_bare_definition_object()
    {
        string store = Directory.CreateTempSubdirectory("vfioctl-d-").FullName;
        try
        {
            Assert.Equal(0, (await OnA(store, "define", "-u", Device, "-p", Parent, "-t", Type, "--config", "version=2,rx-filter-size=16")).ExitCode);

            CliResult one = await OnA(store, "list", "-d", "--dumpjson", "-u", Device);
            CliResult none = await OnA(store, "list", "-d", "--dumpjson", "-u", Absent);
            CliResult all = await OnA(store, "list", "-d", "--dumpjson");

            Assert.Equal(0, one.ExitCode);
            using JsonDocument bare = JsonDocument.Parse(one.Out);
            Assert.Equal(JsonValueKind.Object, bare.RootElement.ValueKind);
            Assert.Equal(["mdev_type", "start", "attrs"], bare.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(Type, bare.RootElement.GetProperty("mdev_type").GetString());
            Assert.Equal("[]", Normal(none.Out));
            using JsonDocument listed = JsonDocument.Parse(all.Out);
            Assert.Equal(Normal(one.Out), JsonSerializer.Serialize(listed.RootElement[0].GetProperty(Parent)[0].GetProperty(Device)));
            // The attrs are the configuration the device will run with, each parameter once: given back as --config they
            // are accepted (no E2006 repeated parameter) and pin the same device.
            string[] attrs = [.. bare.RootElement.GetProperty("attrs").EnumerateArray().Select(a => a.EnumerateObject().Single()).Select(p => $"{p.Name["migration/".Length..]}={p.Value.GetString()}")];
            Assert.Equal(["rss=off", "rx-filter-size=16"], attrs);
            CliResult again = await OnA(store, "define", "-u", Absent, "-p", Parent, "-t", Type, "--config", string.Join(",", attrs));
            Assert.True(again.ExitCode == 0, again.Err);
            using JsonDocument second = JsonDocument.Parse((await OnA(store, "list", "-d", "--dumpjson", "-u", Absent)).Out);
            Assert.Equal(JsonSerializer.Serialize(bare.RootElement.GetProperty("attrs")), JsonSerializer.Serialize(second.RootElement.GetProperty("attrs")));
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [RequiresMdevctlFact]
    public async Task List_defined_dumpjson_matches_mdevctl_for_one_uuid_for_none_and_for_all()
    {
        using var mdevctl = new Mdevctl();
        Assert.Equal(0, (await OnA(mdevctl.ConfigRoot, "define", "-u", Device, "-p", Parent, "-t", Type, "--config", "version=2,rx-filter-size=16")).ExitCode);

        foreach (string[] args in new[] { new[] { "-u", Device }, ["-u", Absent], [] })
        {
            CliResult ours = await OnA(mdevctl.ConfigRoot, ["list", "-d", "--dumpjson", .. args]);
            string theirs = mdevctl.Run(["list", "-d", "--dumpjson", .. args]);

            Assert.True(ours.ExitCode == 0, ours.Err);
            Assert.Equal(Normal(theirs), Normal(ours.Out));
        }
    }
}
