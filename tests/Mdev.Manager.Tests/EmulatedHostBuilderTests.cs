using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Emulation;

namespace Mdev.Manager.Tests;

public sealed class EmulatedHostBuilderTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    /// <summary>A two-type catalog; device code is not needed to lay out or enumerate a host.</summary>
    private sealed class NicCatalog : IEmulatedDeviceCatalog
    {
        public IReadOnlyList<MdevTypeName> Types { get; } = [MdevTypeName.Parse("vendor-nic-1"), MdevTypeName.Parse("vendor-nic-2")];

        public string DisplayName(MdevTypeName type) => "NIC " + type.Value[^1];

        public ModelDescription Describe(MdevTypeName type) => TestModels.Nic;

        public IMigrationBackend CreateBackend(MdevTypeName type, DeviceConfiguration configuration) =>
            throw new NotSupportedException("not used by the sysfs layer");
    }

    [Fact]
    public void AddTypes_LaysOutEveryCatalogTypeWithItsCapabilityDocument()
    {
        var parent = ParentDeviceName.Parse("0000:00:05.0");
        EmulatedSysfs sysfs = new EmulatedHostBuilder(_tree.Root).AddTypes(parent, new NicCatalog(), availableInstances: 3).Build();

        MdevParent listed = new MdevHost(sysfs).GetParent(parent);

        Assert.Equal(["vendor-nic-1", "vendor-nic-2"], listed.Types.Select(t => t.Name.Value));
        Assert.All(listed.Types, t =>
        {
            Assert.Equal(3, t.AvailableInstances);
            Assert.Equal("vfio-pci", t.DeviceApi);
            Assert.Equal(MigrationInfoSource.TypeAttribute, t.Migration!.Source);
            Assert.Equal(MigrationInfo.Fingerprint(TestModels.Nic), MigrationInfo.Fingerprint(t.Migration.DefaultModel));
        });
        Assert.Equal("NIC 2\n", _tree.Read("sys/class/mdev_bus/0000:00:05.0/mdev_supported_types/vendor-nic-2/name"));
    }
}
