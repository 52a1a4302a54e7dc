using Vfio.Devices;

namespace Vfio.Conformance;

/// <summary>
/// Passes every call to the device and counts the state changes that reach it (SETs of MIG_DEVICE_STATE, region writes
/// that could be v1 <c>device_state</c> writes), so the kit can prove a refusal happened in user space.
/// </summary>
internal sealed class SetCountingDevice(IVfioDevice inner) : IVfioDevice
{
    public int StateChanges { get; private set; }

    public string Name => inner.Name;

    public VfioDeviceInfo GetInfo() => inner.GetInfo();

    public VfioRegionInfo GetRegionInfo(uint index) => inner.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => inner.GetIrqInfo(index);

    public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => inner.ReadRegion(index, offset, buffer);

    public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data)
    {
        StateChanges++;
        return inner.WriteRegion(index, offset, data);
    }

    public void Reset() => inner.Reset();

    public MigrationFeatures GetMigrationFeatures() => inner.GetMigrationFeatures();

    public MigrationState GetMigrationState() => inner.GetMigrationState();

    public MigrationDataStream? SetMigrationState(MigrationState next)
    {
        StateChanges++;
        return inner.SetMigrationState(next);
    }

    public ulong GetMigrationDataSize() => inner.GetMigrationDataSize();

    // The kit owns the real device; this wrapper owns nothing.
    public void Dispose()
    {
    }
}
