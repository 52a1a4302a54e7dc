using System.Buffers.Binary;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Tests.Emulation;

public sealed class EmulatedVfioDeviceTests
{
    private const MigrationFeatures All = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

    private static EmulatedVfioDevice V1(ByteArrayBackend backend, int dataSection = 64 * 1024) =>
        new("v1dev", backend, new EmulatedDeviceOptions { Protocol = MigrationProtocolKind.V1Region, V1DataSectionSize = dataSection });

    [Fact]
    public void V1MigrationRegion_InfoBytes_AreARealCapabilityChain()
    {
        using EmulatedVfioDevice dev = V1(new ByteArrayBackend(16, All));

        byte[] info = dev.GetRegionInfoBytes(9);

        // struct vfio_region_info: argsz, flags, index, cap_offset, size, offset.
        Assert.Equal((uint)info.Length, BinaryPrimitives.ReadUInt32LittleEndian(info));
        Assert.True(((VfioRegionFlags)BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(4))).HasFlag(VfioRegionFlags.Caps));
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(8)));
        Assert.Equal(4096UL + (64 * 1024), BinaryPrimitives.ReadUInt64LittleEndian(info.AsSpan(16)));
        Assert.Equal(9UL << 40, BinaryPrimitives.ReadUInt64LittleEndian(info.AsSpan(24)));
        var seen = new List<ushort>();
        uint at = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(12));
        while (at != 0)
        {
            Assert.Equal(0u, at % 8);
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(info.AsSpan((int)at));
            seen.Add(id);
            if (id == 1)
            {
                // VFIO_REGION_INFO_CAP_SPARSE_MMAP: one area, the data section.
                Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan((int)at + 8)));
                Assert.Equal(4096UL, BinaryPrimitives.ReadUInt64LittleEndian(info.AsSpan((int)at + 16)));
                Assert.Equal(64UL * 1024, BinaryPrimitives.ReadUInt64LittleEndian(info.AsSpan((int)at + 24)));
            }
            if (id == 2)
            {
                // VFIO_REGION_INFO_CAP_TYPE: VFIO_REGION_TYPE_MIGRATION_DEPRECATED / subtype 1.
                Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan((int)at + 8)));
                Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan((int)at + 12)));
            }
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan((int)at + 4));
            Assert.True(next == 0 || next > at, "the chain must move forward");
            at = next;
        }
        Assert.Equal([(ushort)1, (ushort)2], seen);
    }

    [Fact]
    public void V2Device_HasNoMigrationRegion_AndReportsItsFeatures()
    {
        using var dev = new EmulatedVfioDevice("v2dev", new ByteArrayBackend(16, All),
            new EmulatedDeviceOptions { Features = MigrationFeatures.StopCopy | MigrationFeatures.P2P });

        Assert.Equal(9u, dev.GetInfo().NumRegions);
        Assert.All(Enumerable.Range(0, 9), i => Assert.Null(dev.GetRegionInfo((uint)i).TypeCapability));
        Assert.Equal(MigrationFeatures.StopCopy | MigrationFeatures.P2P, dev.GetMigrationFeatures());
    }

    [Fact]
    public void V2Features_BeyondTheBackend_AreRejectedAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new EmulatedVfioDevice("x", new ByteArrayBackend(1, MigrationFeatures.StopCopy),
            new EmulatedDeviceOptions { Features = All }));
    }

    [Fact]
    public void Bar0_IsMemory_AndAccessOutsideItIsRefused()
    {
        using var dev = new EmulatedVfioDevice("d", new ByteArrayBackend(1, All), new EmulatedDeviceOptions { Bar0Size = 256 });
        byte[] back = new byte[4];

        dev.WriteRegion(0, 252, [1, 2, 3, 4]);
        dev.ReadRegion(0, 252, back);
        VfioException ex = Assert.Throws<VfioException>(() => dev.ReadRegion(0, 253, new byte[4]));

        Assert.Equal([1, 2, 3, 4], back);
        Assert.Equal(ErrorCode.RegionAccessInvalid, ex.Code);
        Assert.Equal("d", ex.Device);
    }

    [Theory]
    [InlineData(V1DeviceState.Resuming | V1DeviceState.Running)]
    [InlineData(V1DeviceState.Resuming | V1DeviceState.Saving)]
    [InlineData(V1DeviceState.Resuming | V1DeviceState.Saving | V1DeviceState.Running)]
    public void V1_InvalidBitCombination_IsRefused_AndTheStateIsUnchanged(V1DeviceState bits)
    {
        var backend = new ByteArrayBackend(16, All);
        using EmulatedVfioDevice dev = V1(backend);
        byte[] raw = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(raw, (uint)bits);

        VfioException byDevice = Assert.Throws<VfioException>(() => dev.WriteRegion(9, 0, raw));
        V1RegionProtocol protocol = V1RegionProtocol.TryFind(dev)!;
        VfioException byDriver = Assert.Throws<VfioException>(() => protocol.WriteDeviceState(bits));

        Assert.Equal(ErrorCode.V1StateInvalid, byDevice.Code);
        Assert.Equal(ErrorCode.V1StateInvalid, byDriver.Code);
        Assert.Equal("v1dev", byDriver.Device);
        Assert.Equal(MigrationState.Running, backend.State);
        Assert.Empty(backend.Arcs);
    }

    [Theory]
    [InlineData(0b101u)]
    [InlineData(0b111u)]
    public void V1_ReadingAnInvalidCombination_IsV1StateInvalid(uint raw)
    {
        VfioException ex = Assert.Throws<VfioException>(() => V1States.FromBits((V1DeviceState)raw, "dev"));

        Assert.Equal(ErrorCode.V1StateInvalid, ex.Code);
    }

    [Fact]
    public void V1_SavingAndResumingTogether_ReadsAsError()
    {
        // VFIO_DEVICE_STATE_SET_ERROR: the vendor driver's way of saying the device failed.
        Assert.Equal(MigrationState.Error, V1States.FromBits(V1DeviceState.Saving | V1DeviceState.Resuming, "dev"));
    }

    [Fact]
    public void V1_ReservedBits_ArePreservedAcrossStateWrites()
    {
        var backend = new ByteArrayBackend(16, All);
        using EmulatedVfioDevice dev = V1(backend);
        byte[] raw = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(raw, 0x100u | (uint)V1DeviceState.Running);
        dev.WriteRegion(9, 0, raw);

        V1RegionProtocol.TryFind(dev)!.WriteDeviceState(V1DeviceState.Stop);
        dev.ReadRegion(9, 0, raw);

        Assert.Equal(0x100u, BinaryPrimitives.ReadUInt32LittleEndian(raw));
        Assert.Equal(MigrationState.Stop, backend.State);
    }

    [Fact]
    public void V1_PendingBytes_OutsideASavingState_IsRefusedLikeTheKernel()
    {
        using EmulatedVfioDevice dev = V1(new ByteArrayBackend(16, All));

        VfioException ex = Assert.Throws<VfioException>(() => dev.ReadRegion(9, 8, new byte[8]));

        Assert.Equal(ErrorCode.KernelCallFailed, ex.Code);
        Assert.Contains("pending_bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_WriteOfAReadOnlyField_IsRefused()
    {
        using EmulatedVfioDevice dev = V1(new ByteArrayBackend(16, All));

        VfioException ex = Assert.Throws<VfioException>(() => dev.WriteRegion(9, 8, new byte[8]));

        Assert.Equal(ErrorCode.RegionAccessInvalid, ex.Code);
    }

    [Fact]
    public void V2_DataStream_DiesWithItsSession()
    {
        var backend = ByteArrayBackend.Filled(100, All, seed: 1);
        using var dev = new EmulatedVfioDevice("v2dev", backend);
        MigrationDriver driver = MigrationDriver.Open(dev);
        using MigrationDataStream stream = driver.TransitionTo(MigrationState.StopCopy)!;

        driver.TransitionTo(MigrationState.Stop);
        VfioException ex = Assert.Throws<VfioException>(() => stream.TryRead(new byte[10]));

        Assert.Equal(ErrorCode.KernelCallFailed, ex.Code);
        Assert.Contains("ended", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_SetOfACombinationArc_IsWalkedLikeTheKernel()
    {
        var backend = new ByteArrayBackend(8, All);
        using var dev = new EmulatedVfioDevice("v2dev", backend);

        using MigrationDataStream? stream = dev.SetMigrationState(MigrationState.Resuming);

        Assert.NotNull(stream);
        Assert.True(stream.CanWrite);
        Assert.Equal(MigrationState.Resuming, dev.GetMigrationState());
        // vfio.h: RUNNING -> RUNNING_P2P -> STOP -> RESUMING.
        Assert.Equal([MigrationState.RunningP2P, MigrationState.Stop, MigrationState.Resuming], backend.Arcs.Select(a => a.To));
    }

    [Fact]
    public void V1Device_RefusesTheV2Feature()
    {
        using EmulatedVfioDevice dev = V1(new ByteArrayBackend(16, All));

        Assert.Equal(MigrationFeatures.None, dev.GetMigrationFeatures());
        Assert.Equal(ErrorCode.FeatureUnsupported, Assert.Throws<VfioException>(() => dev.GetMigrationState()).Code);
    }

    [Fact]
    public void Reset_ClearsErrorAndReturnsToRunning()
    {
        var backend = new ByteArrayBackend(16, All);
        using var dev = new EmulatedVfioDevice("v2dev", backend);
        dev.Faults.ErrorOnArc = new StateArc(MigrationState.Running, MigrationState.RunningP2P);
        Assert.Throws<VfioException>(() => dev.SetMigrationState(MigrationState.RunningP2P));
        Assert.Equal(MigrationState.Error, dev.GetMigrationState());

        dev.Reset();

        Assert.Equal(MigrationState.Running, dev.GetMigrationState());
        Assert.Equal(1, backend.Resets);
    }
}
