using Vfio.Devices;
using Vfio.Emulation;

namespace Vfio.Manager.Devices;

/// <summary>
/// An emulated device for the length of one operation: everything goes to the <see cref="EmulatedVfioDevice"/>;
/// disposing persists the device's state, then releases the device lock.
/// </summary>
internal sealed class PersistentEmulatedDevice(EmulatedVfioDevice device, IMigrationBackend backend, IDisposable deviceLock, Action persist) : IVfioDevice
{
    private bool _disposed;

    // The migration state last written to disk. Every arc is persisted as it is taken (not only at close), so that a
    // process killed mid-migration leaves the truth on disk: a source in PRE_COPY or STOP_COPY, a destination in
    // RESUMING, never a stale RUNNING that a fresh process would take for a running device.
    private MigrationState _persisted = device.CurrentMigrationState;

    public string Name => device.Name;

    internal EmulatedVfioDevice Emulated => device;

    /// <summary>The device code, for tests that set or inspect device state through an open device.</summary>
    internal IMigrationBackend Backend => backend;

    public VfioDeviceInfo GetInfo() => device.GetInfo();

    public VfioRegionInfo GetRegionInfo(uint index) => device.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => device.GetIrqInfo(index);

    public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => device.ReadRegion(index, offset, buffer);

    public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data)
    {
        try
        {
            // v1: a device_state write in the migration region takes the arcs.
            return device.WriteRegion(index, offset, data);
        }
        finally
        {
            PersistIfMoved();
        }
    }

    public void Reset()
    {
        try
        {
            device.Reset();
        }
        finally
        {
            PersistIfMoved();
        }
    }

    public MigrationFeatures GetMigrationFeatures() => device.GetMigrationFeatures();

    public MigrationState GetMigrationState() => device.GetMigrationState();

    public MigrationDataStream? SetMigrationState(MigrationState next)
    {
        try
        {
            return device.SetMigrationState(next);
        }
        finally
        {
            PersistIfMoved();
        }
    }

    public ulong GetMigrationDataSize() => device.GetMigrationDataSize();

    private void PersistIfMoved()
    {
        if (!_disposed && device.CurrentMigrationState != _persisted)
        {
            persist();
            _persisted = device.CurrentMigrationState;
        }
    }

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
