using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager;

public sealed class EmulatedSysfsTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("vendor-nic-1");
    private readonly TempTree _tree = new();
    private readonly EmulatedHostBuilder _builder;
    private readonly EmulatedSysfs _sysfs;
    private readonly MdevHost _host;

    public EmulatedSysfsTests()
    {
        _builder = new EmulatedHostBuilder(_tree.Root).AddType(Parent, Type, "Vendor NIC", availableInstances: 2, description: "one queue pair");
        _sysfs = _builder.Build(TimeSpan.FromSeconds(30));
        _host = new MdevHost(_sysfs);
    }

    public void Dispose() => _tree.Dispose();

    private SysfsLayout Layout => _sysfs.Layout;

    [Fact]
    public void Create_MakesTheDeviceTheKernelWayAndTakesAnInstance()
    {
        MdevUuid uuid = MdevUuid.NewUuid();

        _sysfs.Write(Layout.TypeCreate(Parent, Type), uuid.ToString());

        MdevDevice device = _host.GetDevice(uuid);
        Assert.Equal((Parent, Type), (device.Parent, device.Type));
        Assert.NotNull(device.IommuGroup);
        Assert.True(Directory.Exists(_tree.PathOf($"sys/kernel/iommu_groups/{device.IommuGroup}")));
        Assert.Equal([uuid.ToString()], _sysfs.List(Layout.TypeDevices(Parent, Type)));
        Assert.Equal(1, _host.GetSupportedType(Parent, Type).AvailableInstances);
        // The tree is plain files: what `cat` shows is what the manager reads.
        Assert.Equal("1\n", _tree.Read($"sys/class/mdev_bus/{Parent}/mdev_supported_types/{Type}/available_instances"));
    }

    [Fact]
    public void Remove_UndoesCreate()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _sysfs.Write(Layout.TypeCreate(Parent, Type), uuid + "\n");
        int group = _host.GetDevice(uuid).IommuGroup!.Value;

        _sysfs.Write(Layout.DeviceRemove(uuid), "1");

        Assert.Null(_host.FindDevice(uuid));
        Assert.Empty(_sysfs.List(Layout.TypeDevices(Parent, Type)));
        Assert.False(Directory.Exists(_tree.PathOf($"sys/kernel/iommu_groups/{group}")));
        Assert.Equal(2, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [Fact]
    public void Create_WhenNoInstanceIsLeft_IsRefusedAndChangesNothing()
    {
        _sysfs.Write(Layout.TypeCreate(Parent, Type), MdevUuid.NewUuid().ToString());
        _sysfs.Write(Layout.TypeCreate(Parent, Type), MdevUuid.NewUuid().ToString());

        var e = Assert.Throws<VfioException>(() => _sysfs.Write(Layout.TypeCreate(Parent, Type), MdevUuid.NewUuid().ToString()));

        Assert.Equal(ErrorCode.NoInstancesAvailable, e.Code);
        Assert.Equal(2, _host.GetDevices().Count);
        Assert.Equal(0, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [Fact]
    public void Create_ExistingUuid_IsRefused()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _sysfs.Write(Layout.TypeCreate(Parent, Type), uuid.ToString());

        var e = Assert.Throws<VfioException>(() => _sysfs.Write(Layout.TypeCreate(Parent, Type), uuid.ToString()));

        Assert.Equal(ErrorCode.DeviceExists, e.Code);
        Assert.Equal(uuid.ToString(), e.Device);
        Assert.Equal(1, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [Theory]
    [InlineData("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001")]
    [InlineData("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 version=2")]
    [InlineData("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n\n")]
    public void Create_AcceptsOnlyAUuid_AsTheKernelDoes(string written)
    {
        var e = Assert.Throws<VfioException>(() => _sysfs.Write(Layout.TypeCreate(Parent, Type), written));
        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Empty(_host.GetDevices());
    }

    [Theory]
    [InlineData("available_instances")]
    [InlineData("name")]
    [InlineData("device_api")]
    public void ReadOnlyTypeAttributes_RefuseWrites(string attribute)
    {
        var e = Assert.Throws<VfioException>(() => _sysfs.Write(Layout.Type(Parent, Type) / attribute, "99"));
        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Equal(2, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [Fact]
    public void Remove_AcceptsOnlyOne()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _sysfs.Write(Layout.TypeCreate(Parent, Type), uuid.ToString());
        Assert.Equal(ErrorCode.KernelCallFailed, Assert.Throws<VfioException>(() => _sysfs.Write(Layout.DeviceRemove(uuid), "0")).Code);
        Assert.NotNull(_host.FindDevice(uuid));
    }

    [Fact]
    public void HeldLock_MakesAChangeFailWithLockTimeout()
    {
        EmulatedSysfs impatient = new(Layout, TimeSpan.FromMilliseconds(50));
        string lockFile = _tree.PathOf("var/lib/vfio-emu/host.lock");
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<VfioException>(() => impatient.Write(Layout.TypeCreate(Parent, Type), MdevUuid.NewUuid().ToString()));
            Assert.Equal(ErrorCode.LockTimeout, e.Code);
        }
        Assert.Empty(_host.GetDevices());
        impatient.Write(Layout.TypeCreate(Parent, Type), MdevUuid.NewUuid().ToString());
        Assert.Single(_host.GetDevices());
    }

    [Fact]
    public void ConcurrentCreators_EachWithItsOwnInstance_NeitherLoseNorDoubleCount()
    {
        const int Pool = 40;
        const int Creators = 8;
        const int AttemptsEach = 8;
        new EmulatedHostBuilder(_tree.Root).AddType(Parent, MdevTypeName.Parse("vendor-nic-2"), "pool", Pool);
        var type = MdevTypeName.Parse("vendor-nic-2");
        var created = new System.Collections.Concurrent.ConcurrentBag<MdevUuid>();
        var refused = new System.Collections.Concurrent.ConcurrentBag<ErrorCode>();

        Parallel.For(0, Creators, new ParallelOptions { MaxDegreeOfParallelism = Creators }, _ =>
        {
            // A separate instance per creator: the only thing they share is the tree and its lock file.
            var sysfs = new EmulatedSysfs(Layout, TimeSpan.FromMinutes(1));
            for (int i = 0; i < AttemptsEach; i++)
            {
                MdevUuid uuid = MdevUuid.NewUuid();
                try
                {
                    sysfs.Write(Layout.TypeCreate(Parent, type), uuid.ToString());
                    created.Add(uuid);
                }
                catch (VfioException e)
                {
                    refused.Add(e.Code);
                }
            }
        });

        Assert.Equal(Pool, created.Count);
        Assert.Equal(Creators * AttemptsEach - Pool, refused.Count);
        Assert.All(refused, code => Assert.Equal(ErrorCode.NoInstancesAvailable, code));
        Assert.Equal(0, _host.GetSupportedType(Parent, type).AvailableInstances);
        Assert.Equal(created.Select(u => u.ToString()).Order(StringComparer.Ordinal), _sysfs.List(Layout.TypeDevices(Parent, type)));
        Assert.Equal(Pool, _host.GetDevices().Select(d => d.IommuGroup).Distinct().Count());
    }
}
