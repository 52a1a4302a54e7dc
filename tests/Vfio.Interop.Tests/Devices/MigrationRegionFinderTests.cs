using Vfio.Devices;

namespace Vfio.Tests.Devices;

public sealed class MigrationRegionFinderTests
{
    [Fact]
    public void FindsTheRegionWithTypeThreeSubtypeOne()
    {
        using var device = new RegionListDevice(
            new VfioRegionInfo(0, VfioRegionFlags.Read, 0x100, 0, []),
            new VfioRegionInfo(1, VfioRegionFlags.Read, 0x100, 1ul << 40, [new RegionTypeCapability(3, 2)]),
            new VfioRegionInfo(2, VfioRegionFlags.Read | VfioRegionFlags.Write, 0x1000, 2ul << 40, [new SparseMmapCapability([]), new RegionTypeCapability(3, 1)]));

        VfioRegionInfo? region = MigrationRegionFinder.FindV1(device);

        Assert.Equal(2u, region?.Index);
    }

    [Fact]
    public void DeviceWithoutAV1Region_GivesNull()
    {
        using var device = new RegionListDevice(new VfioRegionInfo(0, VfioRegionFlags.Read, 0x100, 0, [new RegionTypeCapability(1, 1)]));

        Assert.Null(MigrationRegionFinder.FindV1(device));
    }

    [Fact]
    public void TypeAndSubtype_AreTheKernelConstants()
    {
        Assert.Equal(Interop.Vfio.VFIO_REGION_TYPE_MIGRATION_DEPRECATED, MigrationRegionFinder.MigrationRegionType);
        Assert.Equal(Interop.Vfio.VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED, MigrationRegionFinder.MigrationRegionSubtype);
    }

    [Fact]
    public void CapabilityRecordIds_AreTheKernelConstants()
    {
        Assert.Equal(Interop.Vfio.VFIO_REGION_INFO_CAP_TYPE, new RegionTypeCapability(0, 0).Id);
        Assert.Equal(Interop.Vfio.VFIO_REGION_INFO_CAP_SPARSE_MMAP, new SparseMmapCapability([]).Id);
    }

    // A fake device that only knows its regions: the finder needs nothing else.
    private sealed class RegionListDevice(params VfioRegionInfo[] regions) : IVfioDevice
    {
        public string Name => "fake";
        public VfioDeviceInfo GetInfo() => new(VfioDeviceFlags.Pci, (uint)regions.Length, 0);
        public VfioRegionInfo GetRegionInfo(uint index) => regions[index];
        public VfioIrqInfo GetIrqInfo(uint index) => throw new NotSupportedException();
        public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => throw new NotSupportedException();
        public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data) => throw new NotSupportedException();
        public void Reset() => throw new NotSupportedException();
        public MigrationFeatures GetMigrationFeatures() => throw new NotSupportedException();
        public MigrationState GetMigrationState() => throw new NotSupportedException();
        public MigrationDataStream? SetMigrationState(MigrationState next) => throw new NotSupportedException();
        public ulong GetMigrationDataSize() => throw new NotSupportedException();
        public void Dispose()
        {
        }
    }
}
