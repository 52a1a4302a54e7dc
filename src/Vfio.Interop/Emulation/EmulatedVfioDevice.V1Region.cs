using System.Buffers.Binary;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Emulation;

public sealed partial class EmulatedVfioDevice
{
    // Reserved bits of device_state as last written; vfio.h asks user space to preserve them, so the device keeps them.
    private uint _v1Reserved;
    // The piece of saved data staged in the data section, and whether data_size has told the user its size; the
    // next pending_bytes read after that retires it (the Linux 5.8 save sequence).
    private int _v1Staged;
    private bool _v1StagedDelivered;

    private int ReadMigrationRegion(ulong offset, Span<byte> buffer)
    {
        if (offset >= V1DataOffset)
        {
            DataSection(offset, buffer.Length).Span.CopyTo(buffer);
            return buffer.Length;
        }
        switch (offset, buffer.Length)
        {
            case (V1RegionLayout.DeviceStateOffset, 4):
                V1DeviceState bits = _inError ? V1States.ErrorBits : V1Bits(_backend.State);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, _v1Reserved | (uint)bits);
                return 4;
            case (V1RegionLayout.ReservedOffset, 4):
                buffer.Clear();
                return 4;
            case (V1RegionLayout.PendingBytesOffset, 8):
                RequireV1(saving: true, "pending_bytes");
                if (_v1StagedDelivered)
                {
                    _v1Staged = 0;
                    _v1StagedDelivered = false;
                }
                if (_v1Staged == 0)
                {
                    // Reading pending_bytes runs the save code; -1 (nothing now in pre-copy) and 0 both read as 0.
                    _v1Staged = Math.Max(0, PullSaveData(_v1DataSection, checksum: false, out _));
                }
                BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)_v1Staged);
                return 8;
            case (V1RegionLayout.DataOffsetOffset, 8):
                RequireV1(saving: _backend.State != MigrationState.Resuming, "data_offset");
                BinaryPrimitives.WriteUInt64LittleEndian(buffer, V1DataOffset);
                return 8;
            case (V1RegionLayout.DataSizeOffset, 8):
                RequireV1(saving: true, "data_size");
                _v1StagedDelivered = _v1Staged > 0;
                BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)_v1Staged);
                return 8;
            default:
                throw HeaderAccess(offset, buffer.Length, "read");
        }
    }

    private int WriteMigrationRegion(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset >= V1DataOffset)
        {
            data.CopyTo(DataSection(offset, data.Length).Span);
            return data.Length;
        }
        switch (offset, data.Length)
        {
            case (V1RegionLayout.DeviceStateOffset, 4):
                uint raw = BinaryPrimitives.ReadUInt32LittleEndian(data);
                var bits = (V1DeviceState)(raw & V1RegionLayout.StateMask);
                if (!V1States.IsValid(bits))
                {
                    throw V1States.Invalid(bits, Name);
                }
                RunArcs(V1States.FromBits(bits, Name));
                _v1Reserved = raw & ~V1RegionLayout.StateMask;
                return 4;
            case (V1RegionLayout.DataSizeOffset, 8):
                RequireV1(saving: false, "data_size");
                ulong size = BinaryPrimitives.ReadUInt64LittleEndian(data);
                if (size > (ulong)_v1DataSection.Length)
                {
                    throw EmulationErrors.V1DataSizeTooLarge(Name, size, _v1DataSection.Length);
                }
                // Writing data_size runs the load code on the piece in the data section.
                PushLoadData(_v1DataSection.AsSpan(0, (int)size));
                return 8;
            default:
                throw HeaderAccess(offset, data.Length, "write");
        }
    }

    // A backend with P2P may stop between arcs in a P2P state; v1 cannot say P2P and reports the running bits.
    private V1DeviceState V1Bits(MigrationState state) => state switch
    {
        // Device code that failed a load went to ERROR itself; v1 reports that as SAVING|RESUMING, as it reports ours.
        MigrationState.Error => V1States.ErrorBits,
        MigrationState.RunningP2P => V1DeviceState.Running,
        MigrationState.PreCopyP2P => V1DeviceState.Saving | V1DeviceState.Running,
        _ => V1States.ToBits(state, Name),
    };

    private void RequireV1(bool saving, string field)
    {
        MigrationState state = CurrentState;
        bool ok = _session != 0 && (saving ? IsSaving(state) : state == MigrationState.Resuming);
        if (!ok)
        {
            throw EmulationErrors.V1FieldNotAccessible(Name, field, state, saving);
        }
    }

    private Memory<byte> DataSection(ulong offset, int length)
    {
        ulong start = offset - V1DataOffset;
        if (start > (ulong)_v1DataSection.Length || (ulong)length > (ulong)_v1DataSection.Length - start)
        {
            throw OutOfRegion(V1MigrationIndex, offset, length, V1DataOffset + (ulong)_v1DataSection.Length);
        }
        return _v1DataSection.AsMemory((int)start, length);
    }

    private VfioException HeaderAccess(ulong offset, int length, string op) => EmulationErrors.V1HeaderAccess(Name, offset, length, op);
}
