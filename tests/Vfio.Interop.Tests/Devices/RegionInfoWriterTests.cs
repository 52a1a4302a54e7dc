using System.Buffers.Binary;
using Vfio.Devices;

namespace Vfio.Tests.Devices;

public sealed class RegionInfoWriterTests
{
    [Fact]
    public void Write_LaysOutTheStructAndAlignedChainAsTheHeaderSays()
    {
        var info = new VfioRegionInfo(7, VfioRegionFlags.Read | VfioRegionFlags.Write, Size: 0x1000, Offset: 7ul << 40,
            [new RegionTypeCapability(3, 1), new UnknownCapability(0x42, 2, new byte[] { 1, 2, 3 })]);

        byte[] b = RegionInfoWriter.Write(info);

        // vfio_region_info: argsz, flags, index, cap_offset, size, offset
        Assert.Equal(32 + 16 + 16, b.Length);                                      // unknown: 8 + 3 bytes, aligned to 16
        Assert.Equal((uint)b.Length, BinaryPrimitives.ReadUInt32LittleEndian(b));
        Assert.Equal(0b1011u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4))); // READ | WRITE | CAPS
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)));
        Assert.Equal(32u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));
        Assert.Equal(0x1000ul, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(16)));
        Assert.Equal(7ul << 40, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24)));
        // type cap at 32 chains to 48; the unknown cap at 48 ends the chain.
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(32)));
        Assert.Equal(48u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(36)));
        Assert.Equal(0x42, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(48)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(52)));
    }

    [Fact]
    public void ParsingWhatWasWritten_GivesTheCapabilitiesBack()
    {
        RegionCapability[] caps =
        [
            new SparseMmapCapability([(0ul, 0x1000ul), (0x2000ul, 0x800ul)]),
            new RegionTypeCapability(MigrationRegionFinder.MigrationRegionType, MigrationRegionFinder.MigrationRegionSubtype),
        ];
        byte[] b = RegionInfoWriter.Write(new VfioRegionInfo(0, VfioRegionFlags.Read, 0x4000, 0, caps));

        IReadOnlyList<RegionCapability> parsed = RegionCapabilityChain.Parse(b, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));

        Assert.Equal(caps[0] is SparseMmapCapability s ? s.Areas : null, Assert.IsType<SparseMmapCapability>(parsed[0]).Areas);
        Assert.Equal(caps[1], parsed[1]);
    }

    [Fact]
    public void RegionWithoutCapabilities_HasNoCapsFlagAndZeroCapOffset()
    {
        byte[] b = RegionInfoWriter.Write(new VfioRegionInfo(1, VfioRegionFlags.Read | VfioRegionFlags.Caps, 8, 0, []));

        Assert.Equal(32, b.Length);
        Assert.Equal((uint)VfioRegionFlags.Read, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));
    }
}
