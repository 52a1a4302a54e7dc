using Vfio.Devices;
using Vfio.Emulation;

namespace Mdev.Manager;

/// <summary>
/// An emulated device for the length of one operation: everything goes to the <see cref="EmulatedVfioDevice"/>;
/// disposing persists the device's state, then releases the device lock.
/// </summary>
internal sealed class PersistentEmulatedDevice(EmulatedVfioDevice device, IMigrationBackend backend, IDisposable deviceLock, Action persist) : IVfioDevice
{
    private bool _disposed;

    public string Name => device.Name;

    internal EmulatedVfioDevice Emulated => device;

    /// <summary>The device code, for tests that set or inspect device state through an open device.</summary>
    internal IMigrationBackend Backend => backend;

    public VfioDeviceInfo GetInfo() => device.GetInfo();

    public VfioRegionInfo GetRegionInfo(uint index) => device.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => device.GetIrqInfo(index);

    public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => device.ReadRegion(index, offset, buffer);

    public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data) => device.WriteRegion(index, offset, data);

    public void Reset() => device.Reset();

    public MigrationFeatures GetMigrationFeatures() => device.GetMigrationFeatures();

    public MigrationState GetMigrationState() => device.GetMigrationState();

    public MigrationDataStream? SetMigrationState(MigrationState next) => device.SetMigrationState(next);

    public ulong GetMigrationDataSize() => device.GetMigrationDataSize();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            persist();
        }
        finally
        {
            device.Dispose();
            (backend as IDisposable)?.Dispose();
            deviceLock.Dispose();
        }
    }
}
