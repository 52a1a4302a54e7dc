using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using static Vfio.Interop.Vfio;

namespace Vfio.Tests.Abi;

/// <summary>
/// Ties numbers kept outside Interop (the v1 driver's region layout, the emulated device's region-info encoder) to
/// the Interop definitions, which <see cref="AbiConformanceTests"/> proves against linux/vfio.h. So every copy of a
/// kernel number is checked against the header through one chain.
/// </summary>
public sealed class SharedLayoutTests
{
    private static ulong Offset(string field) => (ulong)Marshal.OffsetOf<vfio_device_migration_info>(field);

    [Fact]
    public void V1RegionLayout_IsTheCheckedVfioDeviceMigrationInfo()
    {
        Assert.Equal(VFIO_REGION_TYPE_MIGRATION_DEPRECATED, V1RegionLayout.RegionType);
        Assert.Equal(VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED, V1RegionLayout.RegionSubtype);
        Assert.Equal(V1RegionLayout.DeviceStateOffset, Offset("device_state"));
        Assert.Equal(V1RegionLayout.ReservedOffset, Offset("reserved"));
        Assert.Equal(V1RegionLayout.PendingBytesOffset, Offset("pending_bytes"));
        Assert.Equal(V1RegionLayout.DataOffsetOffset, Offset("data_offset"));
        Assert.Equal(V1RegionLayout.DataSizeOffset, Offset("data_size"));
        Assert.Equal(V1RegionLayout.HeaderSize, Marshal.SizeOf<vfio_device_migration_info>());
        Assert.Equal(VFIO_DEVICE_STATE_MASK, V1RegionLayout.StateMask);
    }

    [Fact]
    public void MigrationRegionFinder_UsesTheSameRegionTypeAsTheV1Driver()
    {
        Assert.Equal(V1RegionLayout.RegionType, MigrationRegionFinder.MigrationRegionType);
        Assert.Equal(V1RegionLayout.RegionSubtype, MigrationRegionFinder.MigrationRegionSubtype);
    }

    [Fact]
    public void RegionInfoWriter_ChainParsesBackToTheSameCapabilities()
    {
        var info = new VfioRegionInfo(4, VfioRegionFlags.Read | VfioRegionFlags.Write, 0x3000, 4ul << 40,
            [new SparseMmapCapability([(0ul, 0x1000ul), (0x2000ul, 0x1000ul)]), new RegionTypeCapability(3, 1)]);

        byte[] encoded = RegionInfoWriter.Write(info);
        IReadOnlyList<RegionCapability> parsed = RegionCapabilityChain.Parse(encoded, RegionInfoWriter.RegionInfoSize);

        Assert.Equal(2, parsed.Count);
        Assert.Equal(info.Capabilities[0].Id, parsed[0].Id);
        Assert.Equal(((SparseMmapCapability)info.Capabilities[0]).Areas, ((SparseMmapCapability)parsed[0]).Areas);
        Assert.Equal(info.Capabilities[1], parsed[1]);
    }
}
