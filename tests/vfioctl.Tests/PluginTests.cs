using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Sdk;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Commands.Demo;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 16: vfioctl runs the device code of the plug-ins an emulated host's configuration (etc/vfio-emu/host.json)
/// names, loaded at the first device open only, and every way a plug-in can be unusable is a catalogued error
/// (E6050-E6056), never a stack trace. The hosts are real emulated hosts in temp directories; the plug-ins are the
/// sample plug-in vfioctl's build places in plugins/samples/, copied where a vendor would drop their own.
/// </summary>
public sealed class PluginTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Nic = "mynic-4q";
    private const string Serial = "mtty-sdk-1";
    private const string Device = "c0000000-0000-4000-8000-0000000000c1";
    private readonly string _root = Directory.CreateTempSubdirectory("vfioctl-plugins-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Host => Path.Join(_root, "host");

    private Task<CliResult> On(params string[] args) => Cli.RunAsync(["--emulated", Host, .. args]);

    /// <summary>The sample plug-in's implementations, loaded as vfioctl loads them (for the types' documents).</summary>
    private static DeviceImplementation Sample(string id) => DevicePluginLoader.LoadFrom([DemoHosts.SamplePlugin]).Get(id);

    /// <summary>Copies the sample plug-in's folder into the host, as a vendor drops in their DLL, and returns its path relative to the host.</summary>
    private string DropInSamples(string folder)
    {
        string target = Path.Join(Host, "plugins", folder);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(DemoHosts.SamplePlugin)!))
        {
            File.Copy(file, Path.Join(target, Path.GetFileName(file)));
        }
        return Path.Join("plugins", folder, "Samples.Catalog.dll");
    }

    /// <summary>A host with the NIC and the serial card, naming <paramref name="plugins"/>; one NIC device started.</summary>
    private async Task LayOut(params string[] plugins)
    {
        var builder = new EmulatedHostBuilder(Host)
            .AddType(ParentDeviceName.Parse(Parent), MdevTypeName.Parse(Nic), "My NIC, 4 queues", 4, Sample("vendor-a.com/my-nic@3"))
            .AddType(ParentDeviceName.Parse(Parent), MdevTypeName.Parse(Serial), "mtty-sdk, 1 port", 4, Sample("kernel.org/samples/mtty-sdk@mtty-sdk-1"));
        foreach (string plugin in plugins)
        {
            builder.AddPlugin(plugin);
        }
        CliResult start = await On("start", "-u", Device, "-p", Parent, "-t", Nic, "--config", "version=3");
        Assert.True(start.ExitCode == 0, start.Err);
    }

    private static void AssertCatalogued(CliResult result, string id)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error {id} ", result.Err, StringComparison.Ordinal);
        Assert.Contains($"see docs/errors.md#{id.ToLowerInvariant()}-", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_hosts_name_the_sample_plugin_vfioctl_carries_beside_it()
    {
        using var demo = new DemoHostFixture();

        EmulatedHostConfiguration configuration = EmulatedHostConfiguration.Read(demo.HostA);

        Assert.Equal([DemoHosts.SamplePlugin], configuration.PluginPaths);
        Assert.True(File.Exists(DemoHosts.SamplePlugin), DemoHosts.SamplePlugin);
        Assert.True(File.Exists(Path.ChangeExtension(DemoHosts.SamplePlugin, ".deps.json")), "the plug-in's .deps.json resolves its own dependencies");
        Assert.Equal(Path.Join(demo.HostA, "etc", "vfio-emu", "host.json"), configuration.Path);
    }

    [Fact]
    public async Task A_dropped_in_plugin_named_relative_to_the_host_runs_its_devices()
    {
        await LayOut(DropInSamples("vendor"));

        CliResult traffic = await On("traffic", Device, "-n", "300", "--seed", "4");
        CliResult state = await On("describe", Device, "--state");

        Assert.True(traffic.ExitCode == 0, traffic.Err);
        Assert.Matches(@"rx \d+ packets / \d+ bytes", traffic.Out);
        Assert.True(state.ExitCode == 0, state.Err);
        // Decoded through the device-state format's schema: the NIC's saved field paths, with the traffic's counters.
        Assert.Contains("stats/rx-packets", state.Out, StringComparison.Ordinal);
        Assert.Contains("rss/key", state.Out, StringComparison.Ordinal);
        Assert.Contains("rx-ring-0/descriptors", state.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbs_that_open_no_device_work_while_the_plugin_is_missing()
    {
        await LayOut("plugins/not-built-yet/Vendor.dll");

        CliResult list = await On("list");
        CliResult types = await On("types");
        CliResult describe = await On("describe", Device);
        CliResult check = await On("check", "-u", Device, "--to-type", $"{Parent}/{Nic}");

        foreach (CliResult r in new[] { list, types, describe, check })
        {
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.DoesNotContain("E605", r.Err, StringComparison.Ordinal);
        }
        Assert.Contains(Device, list.Out, StringComparison.Ordinal);
        Assert.Contains(Serial, types.Out, StringComparison.Ordinal);
        // The open that needs the code names the missing file.
        CliResult traffic = await On("traffic", Device);
        AssertCatalogued(traffic, "E6050");
        Assert.Contains(Path.Join(Host, "plugins", "not-built-yet", "Vendor.dll"), traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_of_an_opened_device_whose_plugin_went_missing_still_describes_it()
    {
        await LayOut(DropInSamples("vendor"));
        Assert.Equal(0, (await On("traffic", Device, "-n", "5")).ExitCode);
        Directory.Delete(Path.Join(Host, "plugins", "vendor"), recursive: true);

        CliResult describe = await On("describe", Device);

        Assert.True(describe.ExitCode == 0, describe.Err);
        Assert.Contains("vendor-a.com/my-nic", describe.Out, StringComparison.Ordinal);
        Assert.Contains("protocol      (its device code cannot be loaded: E6050 plugin-not-found)", describe.Out, StringComparison.Ordinal);
        Assert.StartsWith("warning E6050 plugin-not-found: ", describe.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_no_assembly_is_E6051()
    {
        await LayOut("plugins/vendor.dll");
        Directory.CreateDirectory(Path.Join(Host, "plugins"));
        File.WriteAllText(Path.Join(Host, "plugins", "vendor.dll"), "#!/bin/sh\necho not a .NET assembly\n");

        CliResult traffic = await On("traffic", Device);

        AssertCatalogued(traffic, "E6051");
        Assert.Contains("it is not a .NET assembly", traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assembly_without_an_entry_point_is_E6052()
    {
        // A .NET assembly, but not a plug-in: it has no [assembly: DevicePlugin(...)].
        string manager = Path.Join(AppContext.BaseDirectory, "Vfio.Manager.dll");
        await LayOut(manager);

        CliResult traffic = await On("traffic", Device);

        AssertCatalogued(traffic, "E6052");
        Assert.Contains("[assembly: DevicePlugin(typeof(...))]", traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_implementation_in_two_plugins_is_E6053()
    {
        await LayOut(DropInSamples("one"), DropInSamples("two"));

        CliResult traffic = await On("traffic", Device);

        AssertCatalogued(traffic, "E6053");
        Assert.Contains(Path.Join(Host, "plugins", "one", "Samples.Catalog.dll"), traffic.Err, StringComparison.Ordinal);
        Assert.Contains(Path.Join(Host, "plugins", "two", "Samples.Catalog.dll"), traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_whose_implementation_no_plugin_provides_is_E6054()
    {
        await LayOut();

        CliResult traffic = await On("traffic", Device);

        AssertCatalogued(traffic, "E6054");
        Assert.Contains("'vendor-a.com/my-nic@3'", traffic.Err, StringComparison.Ordinal);
        Assert.Contains("names no plug-ins", traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_configuration_that_does_not_parse_is_E6055()
    {
        await LayOut(DropInSamples("vendor"));
        File.WriteAllText(EmulatedHostConfiguration.FileOf(Host), "{ \"plugins\": \"plugins/vendor/Samples.Catalog.dll\" }");

        CliResult traffic = await On("traffic", Device);

        AssertCatalogued(traffic, "E6055");
        Assert.Contains(EmulatedHostConfiguration.FileOf(Host), traffic.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await On("list")).ExitCode);
    }

    [Fact]
    public async Task Traffic_on_a_device_without_the_lab_contract_is_E6056_and_its_state_still_decodes()
    {
        const string Port = "c0000000-0000-4000-8000-0000000000c2";
        await LayOut(DropInSamples("vendor"));
        Assert.Equal(0, (await On("start", "-u", Port, "-p", Parent, "-t", Serial)).ExitCode);

        CliResult traffic = await On("traffic", Port);
        CliResult state = await On("describe", Port, "--state");

        AssertCatalogued(traffic, "E6056");
        Assert.Contains("ILabTraffic", traffic.Err, StringComparison.Ordinal);
        // describe --state needs no lab contract: the serial card's state decodes through its schema.
        Assert.True(state.ExitCode == 0, state.Err);
        Assert.Contains("Field", state.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_lab_verbs_apart_and_their_old_spelling_still_runs()
    {
        CliResult help = await Cli.RunAsync(["--help"]);

        string[] lines = help.Out.Split('\n');
        int commands = Array.FindIndex(lines, l => l.StartsWith("Commands:", StringComparison.Ordinal));
        int lab = Array.FindIndex(lines, l => l == GroupedHelp.Heading);
        Assert.True(commands >= 0 && lab > commands, help.Out);
        foreach (string verb in Verbs.Lab)
        {
            Assert.Contains(lines[(lab + 1)..], l => l.StartsWith($"  {verb} ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines[commands..lab], l => l.StartsWith($"  {verb} ", StringComparison.Ordinal));
        }
        await LayOut(DropInSamples("vendor"));
        Assert.Equal(0, (await On("fault", Device, "--cut-after", "10")).ExitCode);
        Assert.Equal(0, (await On("fault", Device, "--clear")).ExitCode);
    }
}
