using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>Creation with pinned configurations against the emulated host (no mocks of the manager).</summary>
public sealed class PinnedCreationTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("vendor-nic-1");
    private static readonly MdevTypeName Plain = MdevTypeName.Parse("vendor-plain-1");
    private readonly TempTree _tree = new();
    private readonly EmulatedSysfs _sysfs;
    private readonly MdevHost _host;

    public PinnedCreationTests()
    {
        _sysfs = new EmulatedHostBuilder(_tree.Root)
            .AddType(Parent, Type, "Vendor NIC", 2, TestNicModels.Design)
            .AddType(Parent, Plain, "No migration", 1)
            .Build();
        _host = new MdevHost(_sysfs);
    }

    public void Dispose() => _tree.Dispose();

    private static DeviceConfiguration Config(string text) => DeviceConfiguration.Parse(TestNicModels.Design, text);

    [Fact]
    public void WithoutConfiguration_TheDeviceStartsAtInitValues()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        MdevDevice device = _host.Create(Parent, Type, uuid);

        Assert.Equal(TestNicModels.Design.Id, device.Migration!.Model);
        Assert.Equal(DeviceConfiguration.FromInit(TestNicModels.Design), _host.ReadConfiguration(uuid));
        Assert.Equal("32\n", _tree.Read($"sys/bus/mdev/devices/{uuid}/migration/rx-filter-size"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("rss=on")]
    [InlineData("version=1,rx-filter-size=64")]
    [InlineData("version=2")]
    public void PinnedConfiguration_IsWhatTheDeviceRuns(string text)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _host.Create(Parent, Type, uuid, Config(text));

        Assert.Equal(Config(text), _host.ReadConfiguration(uuid));
        Assert.Equal(Config(text)["rss"] + "\n", _tree.Read($"sys/bus/mdev/devices/{uuid}/migration/rss"));
    }

    [Fact]
    public void InvalidConfiguration_IsRefusedBeforeAnythingIsWritten()
    {
        ModelDescription wider = new ModelDescriptionBuilder("vendor-a.com/my-nic")
            .Bool("rss", "off", "on").Int("rx-filter-size", "0-128", "0", "32").Build();
        MdevUuid uuid = MdevUuid.NewUuid();

        var e = Assert.Throws<DeviceModelException>(() =>
            _host.Create(Parent, Type, uuid, DeviceConfiguration.Parse(wider, "rx-filter-size=100")));

        Assert.Equal(ErrorCode.ValueNotAllowed, e.Code);
        Assert.Equal("rx-filter-size", e.Parameter);
        Assert.Empty(_host.GetDevices());
        Assert.Equal(2, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [Fact]
    public void OtherModel_IsModelMismatch()
    {
        ModelDescription other = new ModelDescriptionBuilder("vendor-b.com/gpu").Bool("p2p", "off", "off").Build();
        var e = Assert.Throws<VfioException>(() => _host.Create(Parent, Type, MdevUuid.NewUuid(), DeviceConfiguration.FromInit(other)));
        Assert.Equal(ErrorCode.ModelMismatch, e.Code);
        Assert.Equal("vendor-b.com/gpu", e.Value);
        Assert.Empty(_host.GetDevices());
    }

    [Fact]
    public void ConfigurationForATypeWithoutMigrationInfo_IsRefused()
    {
        var e = Assert.Throws<VfioException>(() => _host.Create(Parent, Plain, MdevUuid.NewUuid(), Config("rss=on")));
        Assert.Equal(ErrorCode.MigrationInfoMissing, e.Code);
        Assert.Empty(_host.GetDevices());
    }

    [Fact]
    public void NoInstanceLeft_AndExistingUuid_AreRefusedWithTheirCodes()
    {
        MdevUuid first = MdevUuid.NewUuid();
        _host.Create(Parent, Plain, first);

        Assert.Equal(ErrorCode.NoInstancesAvailable, Assert.Throws<VfioException>(() => _host.Create(Parent, Plain, MdevUuid.NewUuid())).Code);
        Assert.Equal(ErrorCode.DeviceExists, Assert.Throws<VfioException>(() => _host.Create(Parent, Type, first)).Code);
        Assert.Single(_host.GetDevices());
    }

    [Fact]
    public void FailingParameterWrite_RemovesTheDeviceAndRethrowsTheOriginalError()
    {
        _sysfs.Faults.RefuseParameterWrites(AttributeName.Parse("rx-filter-size"));

        var e = Assert.Throws<VfioException>(() => _host.Create(Parent, Type, MdevUuid.NewUuid(), Config("rx-filter-size=16")));

        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Equal("rx-filter-size", e.Parameter);
        Assert.Contains("injected fault", e.Message);
        Assert.Empty(_host.GetDevices());
        Assert.Equal(2, _host.GetSupportedType(Parent, Type).AvailableInstances);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tree.PathOf("sys/kernel/iommu_groups")));
    }

    [Fact]
    public void PoolDevice_IsReconfiguredUntilOpened()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _host.Create(Parent, Type, uuid);

        _host.Configure(uuid, Config("version=1,rss=on"));
        Assert.Equal(Config("rss=on"), _host.ReadConfiguration(uuid));

        _sysfs.MarkOpened(uuid);
        var e = Assert.Throws<VfioException>(() => _host.Configure(uuid, Config("rx-filter-size=8")));
        Assert.Equal(ErrorCode.DeviceAlreadyOpened, e.Code);
        Assert.Equal(Config("rss=on"), _host.ReadConfiguration(uuid));
        // Asking for what it already runs changes nothing and so is allowed.
        _host.Configure(uuid, Config("rss=on"));
    }

    [Fact]
    public void EmulatedDriver_RefusesAValueItsModelDoesNotAllow()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _host.Create(Parent, Type, uuid);
        var e = Assert.Throws<DeviceModelException>(() => _sysfs.Write(_sysfs.Layout.DeviceParameter(uuid, AttributeName.Parse("rx-filter-size")), "65"));
        Assert.Equal(ErrorCode.ValueNotAllowed, e.Code);
        Assert.Equal("32\n", _tree.Read($"sys/bus/mdev/devices/{uuid}/migration/rx-filter-size"));
    }

    [Fact]
    public void Remove_GivesTheInstanceBack()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _host.Create(Parent, Type, uuid, Config("rss=on"));
        _host.Remove(uuid);
        Assert.Null(_host.FindDevice(uuid));
        Assert.Equal(2, _host.GetSupportedType(Parent, Type).AvailableInstances);
        Assert.Equal(ErrorCode.DeviceNotFound, Assert.Throws<VfioException>(() => _host.Remove(uuid)).Code);
    }

    [Fact]
    public void MttyShapedType_WithoutMigrationFiles_AcceptsOnlyItsFixedConfiguration()
    {
        // A manifest-described type whose driver has no migration/ files, as mtty's.
        string manifests = _tree.PathOf("usr/share/vfio-migrate/manifests/mtty");
        Directory.CreateDirectory(manifests);
        File.Copy(Path.Join(RepositoryPaths.MttyManifests, "mtty", "mtty-2.json"), Path.Join(manifests, "mtty-2.json"));
        var mtty = ParentDeviceName.Parse("mtty");
        var type = MdevTypeName.Parse("mtty-2");
        new EmulatedHostBuilder(_tree.Root).AddType(mtty, type, "Dual port serial", 12);

        ModelDescription model = _host.GetSupportedType(mtty, type).Migration!.DefaultModel;
        MdevUuid uuid = MdevUuid.NewUuid();
        _host.Create(mtty, type, uuid, DeviceConfiguration.Parse(model, "ports=2"));

        Assert.Null(_host.GetDevice(uuid).Migration);
        Assert.Equal("2", _host.ReadConfiguration(uuid)["ports"]);
    }
}
