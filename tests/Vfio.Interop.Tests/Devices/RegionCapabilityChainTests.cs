using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Tests.Devices;

public sealed class RegionCapabilityChainTests
{
    // struct vfio_region_info is 32 bytes; capabilities follow it, as the kernel lays them out.
    private const int Info = 32;

    [Fact]
    public void ZeroFirstOffset_MeansNoCapabilities()
    {
        Assert.Empty(RegionCapabilityChain.Parse(new byte[Info], 0));
    }

    [Fact]
    public void SparseMmap_YieldsItsAreas()
    {
        // header(8) + nr_areas(4) + reserved(4) + 2 * {offset u64, size u64}
        byte[] buffer = new InfoBufferBuilder(Info + 16 + 32)
            .Cap(Info, id: 1, version: 1, next: 0)
            .U32(Info + 8, 2)
            .U64(Info + 16, 0x0).U64(Info + 24, 0x1000)
            .U64(Info + 32, 0x3000).U64(Info + 40, 0x2000)
            .Build();

        var cap = Assert.IsType<SparseMmapCapability>(Assert.Single(RegionCapabilityChain.Parse(buffer, Info)));

        Assert.Equal([(0x0ul, 0x1000ul), (0x3000ul, 0x2000ul)], cap.Areas);
    }

    [Fact]
    public void TypeCapability_YieldsTypeAndSubtype()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 16).Cap(Info, 2, 1, 0).U32(Info + 8, 3).U32(Info + 12, 1).Build();

        var cap = Assert.IsType<RegionTypeCapability>(Assert.Single(RegionCapabilityChain.Parse(buffer, Info)));

        Assert.Equal(new RegionTypeCapability(3, 1), cap);
    }

    [Fact]
    public void UnknownCapability_KeepsIdVersionAndPayloadUpToTheEnd()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 16).Cap(Info, id: 0x77, version: 3, next: 0).U64(Info + 8, 0x0807060504030201).Build();

        var cap = Assert.IsType<UnknownCapability>(Assert.Single(RegionCapabilityChain.Parse(buffer, Info)));

        Assert.Equal((ushort)0x77, cap.Id);
        Assert.Equal((ushort)3, cap.Version);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, cap.Payload.ToArray());
    }

    [Fact]
    public void Chain_YieldsEveryCapabilityInNextOrder_SkippingUnreferencedBytes()
    {
        // type @32 -> sparse @56 (8 bytes of gap after the type cap) -> unknown @104; a stray header at 88 sits
        // in the sparse cap's slack and is not part of the chain.
        byte[] buffer = new InfoBufferBuilder(Info + 24 + 48 + 16)
            .Cap(32, id: 2, version: 1, next: 56).U32(40, 3).U32(44, 1)
            .Cap(56, id: 1, version: 1, next: 104).U32(64, 1).U64(72, 0x100).U64(80, 0x200)
            .Cap(88, id: 5, version: 1, next: 0)
            .Cap(104, id: 9, version: 1, next: 0).U32(112, 0xAABBCCDD)
            .Build();

        IReadOnlyList<RegionCapability> caps = RegionCapabilityChain.Parse(buffer, 32);

        Assert.Collection(caps,
            c => Assert.Equal(new RegionTypeCapability(3, 1), c),
            c => Assert.Equal([(0x100ul, 0x200ul)], Assert.IsType<SparseMmapCapability>(c).Areas),
            c => Assert.Equal((ushort)9, Assert.IsType<UnknownCapability>(c).Id));
    }

    [Fact]
    public void FirstOffsetOutsideTheBuffer_IsMalformedAndNamesTheOffset()
    {
        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(new byte[Info + 16], 200, device: "dev0"));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Equal("200", e.Value);
        Assert.Equal("dev0", e.Device);
        Assert.Contains("offset 200", e.Message);
        Assert.Contains("48-byte", e.Message);
    }

    [Fact]
    public void NextOutsideTheBuffer_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 16).Cap(Info, 2, 1, next: 4096).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, Info));

        Assert.Equal("4096", e.Value);
        Assert.Contains("outside", e.Message);
    }

    [Fact]
    public void HeaderThatDoesNotFit_IsMalformed()
    {
        // The buffer ends 4 bytes after the offset: no room for the 8-byte header.
        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(new byte[Info + 4], Info));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Contains("no room for an 8-byte header", e.Message);
    }

    [Fact]
    public void SelfLoop_IsMalformedNotAHang()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 8).Cap(Info, id: 9, version: 1, next: Info).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, Info));

        Assert.Contains("loops back to offset 32", e.Message);
    }

    [Fact]
    public void LoopToAnEarlierCapability_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 32).Cap(32, 9, 1, next: 48).Cap(48, 9, 1, next: 32).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, 32));

        Assert.Equal("32", e.Value);
        Assert.Contains("loops", e.Message);
    }

    [Fact]
    public void BackwardsOffsetToAFreshPlace_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 48).Cap(64, 9, 1, next: 40).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, 64));

        Assert.Equal("40", e.Value);
        Assert.Contains("backwards", e.Message);
    }

    [Fact]
    public void NextInsideTheCapabilitysOwnHeader_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 16).Cap(32, id: 9, version: 1, next: 36).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, 32));

        Assert.Equal("36", e.Value);
        Assert.Contains("inside its own 8-byte header", e.Message);
    }

    [Fact]
    public void NextThatOverlapsATypeCapability_IsMalformed()
    {
        // A type capability is 16 bytes; a next capability 8 bytes in would overlap its type and subtype.
        byte[] buffer = new InfoBufferBuilder(Info + 32).Cap(32, 2, 1, next: 40).U32(40, 3).U32(44, 1).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, 32));

        Assert.Equal(ErrorCode.CapabilityChainMalformed, e.Code);
        Assert.Contains("type capability at offset 32 has 8 bytes before the next capability at offset 40, needs 16", e.Message);
    }

    [Fact]
    public void SparseMmapDeclaringMoreAreasThanFit_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 16 + 16).Cap(Info, 1, 1, 0).U32(Info + 8, 5).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, Info));

        Assert.Contains("declares 5 areas", e.Message);
    }

    [Fact]
    public void TruncatedTypeCapability_IsMalformed()
    {
        byte[] buffer = new InfoBufferBuilder(Info + 12).Cap(Info, 2, 1, 0).Build();

        var e = Assert.Throws<VfioException>(() => RegionCapabilityChain.Parse(buffer, Info));

        Assert.Contains("type capability at offset 32 has 12 bytes before the end of the buffer, needs 16", e.Message);
    }
}
