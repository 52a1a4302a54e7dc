using System.Runtime.Loader;
using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Samples;
using Vfio.Samples.Nic;
using Vfio.Sdk;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>
/// Issue 16: an emulated host at a root is opened once (<see cref="EmulatedHost"/>), runs the device code of the plug-ins
/// its configuration names, loads them at the first device open only, and the opener runs the configuration it is given.
/// </summary>
public sealed class EmulatedHostTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:05.0");
    private static readonly MdevTypeName NicType = MdevTypeName.Parse("my-nic");
    private readonly string _root = Directory.CreateTempSubdirectory("emulated-host-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The sample plug-in: Samples.Catalog.dll with its SamplePlugin entry point (beside this test assembly).</summary>
    private static string SamplePluginPath => typeof(SamplePlugin).Assembly.Location;

    private MdevUuid LayOut(params string[] plugins)
    {
        var builder = new EmulatedHostBuilder(_root).AddType(Parent, NicType, "NIC (current driver)", 4, NicImplementations.Current);
        foreach (string plugin in plugins)
        {
            builder.AddPlugin(plugin);
        }
        MdevUuid uuid = MdevUuid.NewUuid();
        new EmulatedHost(_root).Tree.Create(Parent, NicType, uuid, DeviceConfiguration.Parse(NicModel.Current, "version=3"));
        return uuid;
    }

    [Fact]
    public void Reading_the_tree_loads_no_plugin_and_the_first_open_names_the_missing_one()
    {
        MdevUuid device = LayOut("plugins/absent/Vendor.dll");
        var host = new EmulatedHost(_root);

        Assert.Single(host.Tree.GetDevices());
        Assert.Equal("vendor-a.com/my-nic", host.Tree.ReadConfiguration(device).ModelId.ToString());
        Assert.False(host.ImplementationsLoaded);
        var e = Assert.Throws<VfioException>(() => host.Opener.Open(device));

        Assert.Equal(ErrorCode.PluginNotFound, e.Code);
        Assert.Contains(Path.Join(_root, "plugins", "absent", "Vendor.dll"), e.Message, StringComparison.Ordinal);
        Assert.False(host.Sysfs.IsOpened(device));
    }

    [Fact]
    public void A_plugin_runs_in_its_own_load_context_with_the_hosts_SDK_types()
    {
        MdevUuid device = LayOut(SamplePluginPath);
        var host = new EmulatedHost(_root);

        using IVfioDevice opened = host.Opener.Open(device);
        object code = EmulatedDeviceOpener.DeviceCode(opened)!;

        Assert.True(host.ImplementationsLoaded);
        // The device class is the plug-in's (not the copy this test links), its base class the host's SDK.
        Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(code.GetType().Assembly));
        Assert.NotEqual(typeof(NicDevice), code.GetType());
        Assert.Equal(typeof(NicDevice).FullName, code.GetType().FullName);
        Assert.IsAssignableFrom<MigratableDevice>(code);
        Assert.Contains("vendor-a.com/my-nic@3", host.Implementations.All.Select(i => i.Id));
    }

    [Fact]
    public void The_opener_runs_the_configuration_it_is_given_without_reading_it_again()
    {
        MdevUuid device = LayOut();
        var host = new EmulatedHost(_root, new EmulatedHostOptions { Catalog = SampleCatalog.Create() });
        DeviceConfiguration read = host.Tree.ReadConfiguration(device);
        DeviceConfiguration given = DeviceConfiguration.FromValues(read.Model,
            read.Values.Select(v => v.Key == NicModel.RxFilterSize ? new KeyValuePair<string, string>(v.Key, "8") : v), device: device.ToString());

        using (IVfioDevice opened = host.Opener.Open(device, given))
        {
            Assert.Equal("8", ((MigratableDevice)EmulatedDeviceOpener.DeviceCode(opened)!).Configuration[NicModel.RxFilterSize]);
        }
        // The device's migration/ files still say what they said: the 8 came from the caller, not from a read.
        Assert.Equal("32", host.Tree.ReadConfiguration(device)[NicModel.RxFilterSize]);
    }

    [Fact]
    public void A_type_whose_implementation_no_plugin_provides_is_E6054_listing_what_the_plugins_provide()
    {
        var builder = new EmulatedHostBuilder(_root).AddPlugin(SamplePluginPath)
            .AddType(Parent, NicType, "Another vendor's NIC", 4, new DeviceImplementation("vendor-b.com/other@1", NicModel.Current, (name, c) => new NicDevice(name, c, NicBuild.Current)));
        MdevUuid device = MdevUuid.NewUuid();
        var host = new EmulatedHost(builder.Layout.Root.FullPath);
        host.Tree.Create(Parent, NicType, device, DeviceConfiguration.Parse(NicModel.Current, "version=3"));

        var e = Assert.Throws<VfioException>(() => host.Opener.Open(device));

        Assert.Equal(ErrorCode.DeviceImplementationMissing, e.Code);
        Assert.Contains("'vendor-b.com/other@1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("vendor-a.com/my-nic@2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_configuration_names_each_plugin_once_and_resolves_relative_paths_against_the_root()
    {
        new EmulatedHostBuilder(_root).AddPlugin("plugins/a/A.dll").AddPlugin("/opt/b/B.dll").AddPlugin("plugins/a/A.dll");

        EmulatedHostConfiguration configuration = EmulatedHostConfiguration.Read(_root);

        Assert.Equal(["plugins/a/A.dll", "/opt/b/B.dll"], configuration.Plugins);
        Assert.Equal([Path.Join(_root, "plugins", "a", "A.dll"), "/opt/b/B.dll"], configuration.PluginPaths);
        Assert.Empty(EmulatedHostConfiguration.Read(Directory.CreateTempSubdirectory("no-config-").FullName).Plugins);
    }

    [Theory]
    [InlineData("{ \"plugins\": [ \"\" ] }")]
    [InlineData("{ \"plugins\": 3 }")]
    [InlineData("not json")]
    public void A_configuration_that_is_not_one_is_E6055(string text)
    {
        string file = EmulatedHostConfiguration.FileOf(_root);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);

        var e = Assert.Throws<VfioException>(() => EmulatedHostConfiguration.Read(_root));

        Assert.Equal(ErrorCode.EmulatedHostConfigurationInvalid, e.Code);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_FIFO_in_place_of_the_configuration_is_refused_rather_than_waited_on()
    {
        string file = EmulatedHostConfiguration.FileOf(_root);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        Assert.Equal(0, Posix.MkFifo(file));

        var e = Assert.Throws<VfioException>(() => EmulatedHostConfiguration.Read(_root));

        Assert.Equal(ErrorCode.EmulatedHostConfigurationInvalid, e.Code);
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
    }
}
