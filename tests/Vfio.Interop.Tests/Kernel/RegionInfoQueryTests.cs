using System.Buffers.Binary;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

/// <summary>The argsz dance against a fake kernel that answers as vfio-pci does (RegionInfoWriter.Answer).</summary>
public sealed class RegionInfoQueryTests
{
    private static readonly VfioRegionInfo MigrationRegion = new(9, VfioRegionFlags.Read | VfioRegionFlags.Write | VfioRegionFlags.Caps,
        0x2000, 9ul << 40, [new SparseMmapCapability([(0x1000ul, 0x1000ul)]), new RegionTypeCapability(3, 1)]);

    [Fact]
    public void RegionWithCapabilities_TakesTwoCallsAndParsesTheChain()
    {
        var argszSeen = new List<uint>();

        VfioRegionInfo region = RegionInfoQuery.Run(9, "dev", buffer =>
        {
            argszSeen.Add(BinaryPrimitives.ReadUInt32LittleEndian(buffer));
            Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..])); // index travels in every call
            RegionInfoWriter.Answer(MigrationRegion, buffer);
        });

        Assert.Equal([32u, (uint)RegionInfoWriter.Write(MigrationRegion).Length], argszSeen);
        Assert.Equal(9ul << 40, region.Offset);
        Assert.Equal(0x2000ul, region.Size);
        Assert.Equal(new RegionTypeCapability(3, 1), region.TypeCapability);
        Assert.Equal([(0x1000ul, 0x1000ul)], Assert.IsType<SparseMmapCapability>(region.Capabilities[0]).Areas);
    }

    [Fact]
    public void RegionWithoutCapabilities_TakesOneCall()
    {
        var plain = new VfioRegionInfo(0, VfioRegionFlags.Read, 0x100, 0, []);
        int calls = 0;

        VfioRegionInfo region = RegionInfoQuery.Run(0, "dev", buffer => { calls++; RegionInfoWriter.Answer(plain, buffer); });

        Assert.Equal(1, calls);
        Assert.Empty(region.Capabilities);
        Assert.Equal(VfioRegionFlags.Read, region.Flags);
    }

    [Fact]
    public void DriverThatKeepsGrowingArgsz_IsStoppedWithCapabilityChainMalformed()
    {
        int calls = 0;

        var e = Assert.Throws<VfioException>(() => RegionInfoQuery.Run(1, "dev", buffer =>
        {
            calls++;
            uint asked = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, asked + 64);                      // argsz: always more
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], (uint)VfioRegionFlags.Caps);
        }));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Equal(RegionInfoQuery.MaxAttempts, calls);
        Assert.Equal("argsz", e.Parameter);
    }

    [Fact]
    public void MalformedChainFromTheDriver_NamesTheDevice()
    {
        var e = Assert.Throws<VfioException>(() => RegionInfoQuery.Run(1, "0000:00:03.0", buffer =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], (uint)VfioRegionFlags.Caps);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[12..], 400); // cap_offset beyond argsz
        }));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Equal("0000:00:03.0", e.Device);
        Assert.Equal("400", e.Value);
    }

    [Fact]
    public void CapOffsetInsideTheStruct_IsMalformed()
    {
        var e = Assert.Throws<VfioException>(() => RegionInfoQuery.Run(2, "dev", buffer =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], (uint)VfioRegionFlags.Caps);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[12..], 8); // would read flags/index as a header
        }));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Equal("8", e.Value);
        Assert.Equal(">= 32", e.Expected);
    }

    [Fact]
    public void Answer_RefusesAnArgszSmallerThanTheStruct()
    {
        byte[] request = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(request, 16);

        var e = Assert.Throws<VfioException>(() => RegionInfoWriter.Answer(MigrationRegion, request));

        Assert.Equal(ErrorCode.RegionAccessInvalid, e.Code);
    }
}
