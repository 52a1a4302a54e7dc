using System.Buffers.Binary;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// The v1 protocol over the migration region: an arc is a write of <c>device_state</c>; data moves through the
/// region's data section (Linux 5.8-5.17 vfio.h, "Migration region").
/// </summary>
internal sealed class V1RegionProtocol : IMigrationProtocol
{
    private readonly IVfioDevice _device;

    private V1RegionProtocol(IVfioDevice device, VfioRegionInfo region)
    {
        _device = device;
        Region = region;
    }

    public MigrationProtocolKind Kind => MigrationProtocolKind.V1Region;

    // v1 lets user space write SAVING|RUNNING from RUNNING and SAVING from SAVING|RUNNING, the v2 PRE_COPY arcs;
    // there is no P2P state.
    public MigrationFeatures Features => MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;

    public VfioRegionInfo Region { get; }

    public string DeviceName => _device.Name;

    /// <summary>Finds the migration region by its type capability (<see cref="MigrationRegionFinder.FindV1"/>), or returns null when the device has none.</summary>
    public static V1RegionProtocol? TryFind(IVfioDevice device)
    {
        if (MigrationRegionFinder.FindV1(device) is not { } region)
        {
            return null;
        }
        if (region.Size < V1RegionLayout.HeaderSize)
        {
            throw InteropErrors.V1RegionTooSmall(device.Name, region, V1RegionLayout.HeaderSize);
        }
        return new V1RegionProtocol(device, region);
    }

    public MigrationState GetState() => V1States.FromBits(ReadDeviceStateBits(), _device.Name);

    public MigrationDataStream? Step(MigrationState from, MigrationState next)
    {
        WriteDeviceState(V1States.ToBits(next, _device.Name));
        bool wasSaving = from is MigrationState.PreCopy or MigrationState.StopCopy;
        return next switch
        {
            MigrationState.PreCopy or MigrationState.StopCopy when !wasSaving => new V1RegionDataStream(this, resuming: false),
            MigrationState.Resuming => new V1RegionDataStream(this, resuming: true),
            _ => null,
        };
    }

    // v1 has no separate size query; pending_bytes is the device's estimate of what is still to be read.
    public ulong GetStopCopySize()
    {
        MigrationState state = GetState();
        if (state is not (MigrationState.PreCopy or MigrationState.StopCopy))
        {
            throw InteropErrors.V1PendingBytesOutsideSaving(_device.Name, state);
        }
        return ReadU64(V1RegionLayout.PendingBytesOffset);
    }

    /// <summary>Writes <c>device_state</c>, keeping the reserved bits as read (vfio.h asks for read-modify-write).</summary>
    public void WriteDeviceState(V1DeviceState bits)
    {
        if (!V1States.IsValid(bits))
        {
            throw V1States.Invalid(bits, _device.Name);
        }
        uint raw = ReadU32(V1RegionLayout.DeviceStateOffset);
        raw = (raw & ~V1RegionLayout.StateMask) | (uint)bits;
        WriteU32(V1RegionLayout.DeviceStateOffset, raw);
    }

    public V1DeviceState ReadDeviceStateBits() => (V1DeviceState)ReadU32(V1RegionLayout.DeviceStateOffset);

    public uint ReadU32(ulong offset)
    {
        Span<byte> b = stackalloc byte[4];
        Read(offset, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public ulong ReadU64(ulong offset)
    {
        Span<byte> b = stackalloc byte[8];
        Read(offset, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void WriteU32(ulong offset, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Write(offset, b);
    }

    public void WriteU64(ulong offset, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(offset, b);
    }

    public void Read(ulong offset, Span<byte> buffer)
    {
        CheckWindow(offset, (ulong)buffer.Length);
        int n = _device.ReadRegion(Region.Index, offset, buffer);
        if (n != buffer.Length)
        {
            throw Short("read", offset, buffer.Length, n);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        CheckWindow(offset, (ulong)data.Length);
        int n = _device.WriteRegion(Region.Index, offset, data);
        if (n != data.Length)
        {
            throw Short("write", offset, data.Length, n);
        }
    }

    private void CheckWindow(ulong offset, ulong length)
    {
        if (offset > Region.Size || length > Region.Size - offset)
        {
            throw InteropErrors.V1WindowOutside(_device.Name, Region, offset, length);
        }
    }

    private VfioException Short(string op, ulong offset, int wanted, int got) => InteropErrors.V1ShortAccess(_device.Name, Region, op, offset, wanted, got);

}
