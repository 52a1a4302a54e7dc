using Vfio.Manager.Definitions;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Commands.List;

namespace Vfio.Tests.Vfioctl;

/// <summary><c>vfioctl list</c> while another process stops a device: the listing is a snapshot and does not fail.</summary>
public sealed class ListRaceTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("mynic-4q");
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public void Device_stopped_between_the_listing_and_reading_its_configuration_is_shown_removed()
    {
        var layout = new SysfsLayout(_hosts.HostA, Path.Join(_hosts.HostA, "manifests"));
        var sysfs = new EmulatedSysfs(layout, TimeSpan.FromSeconds(5));
        var creator = new MdevHost(sysfs);
        MdevUuid stopped = MdevUuid.NewUuid();
        ModelDescription model = creator.GetSupportedType(Parent, Type).Migration!.DefaultModel;
        creator.Create(Parent, Type, stopped, DeviceConfiguration.Parse(model, "version=2"));
        // The second read of the device's migration/ directory is the configuration column's: another process
        // stops the device just before it.
        int reads = 0;
        var racing = new HookedSysfs(sysfs, directory =>
        {
            if (directory == layout.DeviceMigration(stopped) && ++reads == 2)
            {
                new MdevHost(new EmulatedSysfs(layout, TimeSpan.FromSeconds(5))).Remove(stopped);
            }
        });
        var host = new MdevHost(racing);
        var output = new StringWriter();
        var console = new CliConsole(output, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false);

        int code = new ListCommand(new MdevDefinitions(host, new DefinitionStore(Path.Join(_hosts.HostA, "etc", "mdevctl.d"))), console)
            .Execute(new ListFilter(false, null, null), dumpJson: false);

        Assert.Equal(0, code);
        Assert.Equal(2, reads);
        string line = output.ToString().Split('\n').Single(l => l.Contains(stopped.ToString(), StringComparison.Ordinal));
        Assert.Contains("(removed)", line, StringComparison.Ordinal);
    }

    private sealed class HookedSysfs(ISysfs inner, Action<SysfsPath> beforeList) : ISysfs
    {
        public SysfsLayout Layout => inner.Layout;

        public string ReadText(SysfsPath path) => inner.ReadText(path);

        public void Write(SysfsPath path, string value) => inner.Write(path, value);

        public bool Exists(SysfsPath path) => inner.Exists(path);

        public IReadOnlyList<string> List(SysfsPath directory)
        {
            beforeList(directory);
            return inner.List(directory);
        }

        public SysfsPath? Resolve(SysfsPath path) => inner.Resolve(path);
    }
}
