using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>
/// Enumerates a tree shaped like a real host running the kernel's mtty sample (samples/vfio-mdev/mtty.c):
/// a virtual parent linked from mdev_bus, types named "&lt;driver&gt;-&lt;n&gt;" without a description file,
/// and a device whose entries are links, as sysfs has them.
/// </summary>
public sealed class MttyEnumerationTests : IDisposable
{
    private const string Uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private const string ParentDir = "sys/devices/virtual/mtty/mtty";
    private readonly TempTree _tree = new();
    private readonly MdevHost _host;

    public MttyEnumerationTests()
    {
        _tree.File($"{ParentDir}/mdev_supported_types/mtty-1/name", "Single port serial\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-1/device_api", "vfio-pci\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-1/available_instances", "24\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-1/create", "")
             .Dir($"{ParentDir}/mdev_supported_types/mtty-1/devices")
             .File($"{ParentDir}/mdev_supported_types/mtty-2/name", "Dual port serial\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-2/device_api", "vfio-pci\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-2/available_instances", "12\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-2/create", "")
             .Dir($"{ParentDir}/mdev_supported_types/mtty-2/devices")
             .Link("sys/class/mdev_bus/mtty", "../../devices/virtual/mtty/mtty")
             .Dir("sys/bus/mdev/devices");
        _host = new MdevHost(new RealSysfs(new SysfsLayout(_tree.Root, RepositoryPaths.MttyManifests)));
    }

    public void Dispose() => _tree.Dispose();

    /// <summary>What the kernel shows after `echo $Uuid > mtty-2/create`: two of the pool's 24 ports are taken.</summary>
    private void AddDualPortDevice()
    {
        _tree.File($"{ParentDir}/mdev_supported_types/mtty-1/available_instances", "22\n")
             .File($"{ParentDir}/mdev_supported_types/mtty-2/available_instances", "11\n")
             .Link($"{ParentDir}/mdev_supported_types/mtty-2/devices/{Uuid}", $"../../../{Uuid}")
             .File($"{ParentDir}/{Uuid}/remove", "")
             .Link($"{ParentDir}/{Uuid}/mdev_type", "../mdev_supported_types/mtty-2")
             .Dir("sys/kernel/iommu_groups/7/devices")
             .Link($"{ParentDir}/{Uuid}/iommu_group", "../../../../../kernel/iommu_groups/7")
             .Link($"sys/bus/mdev/devices/{Uuid}", $"../../../devices/virtual/mtty/mtty/{Uuid}")
             // Not a UUID: skipped, as mdevctl skips it.
             .Dir("sys/bus/mdev/devices/not-a-device");
    }

    [Fact]
    public void Parents_ListMttyWithBothTypesAndTheirKernelAttributes()
    {
        MdevParent parent = Assert.Single(_host.GetParents());

        Assert.Equal("mtty", parent.Name.Value);
        Assert.Null(parent.Driver);
        Assert.Collection(parent.Types,
            t =>
            {
                Assert.Equal(("mtty-1", "Single port serial", "vfio-pci", 24), (t.Name.Value, t.DisplayName, t.DeviceApi, t.AvailableInstances));
                Assert.Null(t.Description);
            },
            t =>
            {
                Assert.Equal(("mtty-2", "Dual port serial", "vfio-pci", 12), (t.Name.Value, t.DisplayName, t.DeviceApi, t.AvailableInstances));
                Assert.Null(t.Description);
            });
    }

    [Fact]
    public void Types_TakeTheirMigrationInfoFromTheShippedManifest_ByTypePrefix()
    {
        MdevType type = _host.GetSupportedType(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-2"));

        TypeMigrationInfo info = Assert.IsType<TypeMigrationInfo>(type.Migration);
        Assert.Equal(MigrationInfoSource.Manifest, info.Source);
        Assert.Equal(Path.Join(RepositoryPaths.MttyManifests, "mtty", "mtty-2.json"), info.Path.FullPath);
        Vfio.DeviceModels.ModelDescription model = Assert.Single(info.Document.Models);
        Assert.Equal("kernel.org/samples/mtty", model.Id.ToString());
        Assert.Equal("ports=2", Vfio.DeviceModels.DeviceConfiguration.FromInit(model).Values.Select(v => $"{v.Key}={v.Value}").Single());
    }

    [Fact]
    public void ParentDriverLink_ChoosesTheManifestFolder()
    {
        // A driver-bound parent: the manifest folder is the driver's name, not the type prefix.
        _tree.Dir("sys/bus/pci/drivers/mtty")
             .Link($"{ParentDir}/driver", "../../../../bus/pci/drivers/mtty");
        MdevParent parent = Assert.Single(_host.GetParents());
        Assert.Equal("mtty", parent.Driver);
        Assert.All(parent.Types, t => Assert.Equal(MigrationInfoSource.Manifest, t.Migration!.Source));
    }

    [Fact]
    public void TypeAttribute_WinsOverTheManifest()
    {
        _tree.File($"{ParentDir}/mdev_supported_types/mtty-1/migration_info.json",
            new Vfio.DeviceModels.Documents.MigrationInfo([TestNicModels.Design]).ToJson());
        MdevType type = _host.GetSupportedType(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-1"));
        Assert.Equal(MigrationInfoSource.TypeAttribute, type.Migration!.Source);
        Assert.Equal(TestNicModels.Design.Id, type.Migration.DefaultModel.Id);
    }

    [Fact]
    public void MalformedMigrationInfo_IsDocumentInvalidNamingTheFile()
    {
        _tree.File($"{ParentDir}/mdev_supported_types/mtty-1/migration_info.json", "{\"models\":{\"x.com/y\":{\"params\":{\"p\":{\"type\":\"int\"}}}}}");
        var e = Assert.Throws<Vfio.Errors.VfioException>(() => _host.GetSupportedType(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-1")));
        Assert.Equal(Vfio.Errors.ErrorCode.DocumentInvalid, e.Code);
        Assert.Contains("mtty-1/migration_info.json", e.Message);
    }

    [Fact]
    public void Devices_NameParentTypeAndIommuGroupFromTheLinks()
    {
        AddDualPortDevice();
        MdevDevice device = Assert.Single(_host.GetDevices());

        Assert.Equal(Uuid, device.Uuid.ToString());
        Assert.Equal("mtty", device.Parent.Value);
        Assert.Equal("mtty-2", device.Type.Value);
        Assert.Equal(7, device.IommuGroup);
        Assert.Null(device.Migration);
        Assert.Equal([11, 22], _host.GetParents()[0].Types.Select(t => t.AvailableInstances).Reverse());
    }

    [Fact]
    public void DeviceMigrationFiles_AreReadOnePerParameter()
    {
        AddDualPortDevice();
        _tree.File($"{ParentDir}/{Uuid}/migration/model", "vendor-a.com/my-nic\n")
             .File($"{ParentDir}/{Uuid}/migration/rss", "on\n")
             .File($"{ParentDir}/{Uuid}/migration/rx-filter-size", "32\n");

        DeviceMigrationAttributes migration = _host.GetDevice(MdevUuid.Parse(Uuid)).Migration!;

        Assert.Equal("vendor-a.com/my-nic", migration.Model.ToString());
        Assert.Equal(["rss=on", "rx-filter-size=32"], migration.Parameters.Select(p => $"{p.Key}={p.Value}"));
    }

    [Fact]
    public void MissingParentTypeAndDevice_HaveTheirCodes()
    {
        Assert.Equal(Vfio.Errors.ErrorCode.ParentNotFound,
            Assert.Throws<Vfio.Errors.VfioException>(() => _host.GetParent(ParentDeviceName.Parse("0000:00:03.0"))).Code);
        Assert.Equal(Vfio.Errors.ErrorCode.TypeNotFound,
            Assert.Throws<Vfio.Errors.VfioException>(() => _host.GetSupportedType(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-3"))).Code);
        Assert.Equal(Vfio.Errors.ErrorCode.DeviceNotFound,
            Assert.Throws<Vfio.Errors.VfioException>(() => _host.GetDevice(MdevUuid.NewUuid())).Code);
    }

    [Fact]
    public void MalformedAvailableInstances_FailsEnumerationNamingTheFile()
    {
        _tree.File($"{ParentDir}/mdev_supported_types/mtty-1/available_instances", "22 ports\n");
        var e = Assert.Throws<Vfio.Errors.VfioException>(() => _host.GetParents());
        Assert.Equal(Vfio.Errors.ErrorCode.SysfsAttributeMalformed, e.Code);
        Assert.Contains("mtty-1/available_instances", e.Message);
    }

    [Fact]
    public void Create_WritesExactlyTheUuidToCreate_AndReportsWhenNoDeviceAppears()
    {
        // A tree without a kernel behind it: the write lands in the file, and no device appears.
        var uuid = MdevUuid.Parse(Uuid);
        var e = Assert.Throws<Vfio.Errors.VfioException>(() => _host.Create(ParentDeviceName.Parse("mtty"), MdevTypeName.Parse("mtty-1"), uuid));

        Assert.Equal(Uuid, _tree.Read($"{ParentDir}/mdev_supported_types/mtty-1/create"));
        Assert.Equal(Vfio.Errors.ErrorCode.DeviceNotFound, e.Code);
        // The cleanup write to remove failed too (there is no device); that is carried with the original error.
        Assert.Contains("remove", (string)e.Data["RemoveAfterFailure"]!);
    }
}
