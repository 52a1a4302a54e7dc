using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Emulation;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

public sealed class EmulatedHostBuilderTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void AddType_WithAModel_LaysOutTheTypeWithItsCapabilityDocument()
    {
        var parent = ParentDeviceName.Parse("0000:00:05.0");
        EmulatedSysfs sysfs = new EmulatedHostBuilder(_tree.Root)
            .AddType(parent, MdevTypeName.Parse("vendor-nic-1"), "NIC 1", availableInstances: 3, TestNicModels.Design)
            .AddType(parent, MdevTypeName.Parse("vendor-nic-2"), "NIC 2", availableInstances: 3, TestNicModels.Design)
            .Build();

        MdevParent listed = new MdevHost(sysfs).GetParent(parent);

        Assert.Equal(["vendor-nic-1", "vendor-nic-2"], listed.Types.Select(t => t.Name.Value));
        Assert.All(listed.Types, t =>
        {
            Assert.Equal(3, t.AvailableInstances);
            Assert.Equal("vfio-pci", t.DeviceApi);
            Assert.Equal(MigrationInfoSource.TypeAttribute, t.Migration!.Source);
            Assert.Equal(MigrationInfo.Fingerprint(TestNicModels.Design), MigrationInfo.Fingerprint(t.Migration.DefaultModel));
        });
        Assert.Equal("NIC 2\n", _tree.Read("sys/class/mdev_bus/0000:00:05.0/mdev_supported_types/vendor-nic-2/name"));
    }
}
