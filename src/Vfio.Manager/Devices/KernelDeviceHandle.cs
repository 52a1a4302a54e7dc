using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Manager.Devices;

/// <summary>A kernel device together with the group and container that keep it usable; disposing closes all three.</summary>
internal sealed class KernelDeviceHandle : IVfioDevice
{
    private readonly VfioContainer _container;
    private readonly VfioGroup _group;
    private readonly KernelVfioDevice _device;

    private KernelDeviceHandle(VfioContainer container, VfioGroup group, KernelVfioDevice device)
    {
        _container = container;
        _group = group;
        _device = device;
    }

    internal static KernelDeviceHandle Open(int groupNumber, string name, VfioPaths paths)
    {
        VfioContainer container = VfioContainer.Open(paths);
        VfioGroup? group = null;
        try
        {
            group = VfioGroup.Open(groupNumber, paths);
            group.RequireViable();
            group.SetContainer(container);
            container.SetIommu(VfioExtension.Type1v2Iommu);
            return new KernelDeviceHandle(container, group, group.OpenDevice(name));
        }
        catch
        {
            group?.Dispose();
            container.Dispose();
            throw;
        }
    }

    public string Name => _device.Name;

    public VfioDeviceInfo GetInfo() => _device.GetInfo();

    public VfioRegionInfo GetRegionInfo(uint index) => _device.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => _device.GetIrqInfo(index);

    public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => _device.ReadRegion(index, offset, buffer);

    public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data) => _device.WriteRegion(index, offset, data);

    public void Reset() => _device.Reset();

    public MigrationFeatures GetMigrationFeatures() => _device.GetMigrationFeatures();

    public MigrationState GetMigrationState() => _device.GetMigrationState();

    public MigrationDataStream? SetMigrationState(MigrationState next) => _device.SetMigrationState(next);

    public ulong GetMigrationDataSize() => _device.GetMigrationDataSize();

    public void Dispose()
    {
        // The device fd first: the kernel refuses to detach a group whose devices are open.
        _device.Dispose();
        _group.Dispose();
        _container.Dispose();
    }
}
