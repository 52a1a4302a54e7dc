using System.Buffers.Binary;
using Vfio;
using Vfio.DeviceModels.State;

namespace DeviceModels.Tests.State;

public sealed class DeviceStateFormatTests
{
    private static byte[] SaveAll() => DeviceState.Save(w =>
    {
        w.WriteU8("u8", 0xAB);
        w.WriteU16("u16", 0xBEEF);
        w.WriteU32("u32", 0xDEADBEEF);
        w.WriteU64("u64", ulong.MaxValue - 1);
        w.WriteI64("i64", long.MinValue + 3);
        w.WriteBool("on", true);
        w.WriteString("label", "rx-queue ü");
        w.WriteBytes("mac", [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        w.WriteSection("rx", s =>
        {
            s.WriteU32("head", 7);
            s.WriteSection("filters", f => f.WriteBytes("table", new byte[64]));
        });
    });

    [Fact]
    public void EveryType_RoundTrips()
    {
        byte[] state = SaveAll();
        DeviceState.Load(state, "dev0", r =>
        {
            Assert.Equal(0xAB, r.ReadU8("u8"));
            Assert.Equal(0xBEEF, r.ReadU16("u16"));
            Assert.Equal(0xDEADBEEF, r.ReadU32("u32"));
            Assert.Equal(ulong.MaxValue - 1, r.ReadU64("u64"));
            Assert.Equal(long.MinValue + 3, r.ReadI64("i64"));
            Assert.True(r.ReadBool("on"));
            Assert.Equal("rx-queue ü", r.ReadString("label"));
            Assert.Equal(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, r.ReadBytes("mac").ToArray());
            DeviceStateReader rx = r.ReadSection("rx");
            Assert.Equal(7u, rx.ReadU32("head"));
            Assert.Equal(64, rx.ReadSection("filters").ReadBytes("table").Length);
        });
    }

    [Fact]
    public void Encoding_MatchesTheDocumentedExample()
    {
        // docs/device-state-format.md, "Example": a required u32 "head" = 7 and an optional bool "rss" = true.
        byte[] state = DeviceState.Save(w =>
        {
            w.WriteU32("head", 7);
            w.WriteBool("rss", true, FieldPresence.Optional);
        });
        Assert.Equal(Convert.FromHexString(
            "5646494F44535431" + "0100" + "0000" +
            "83" + "04" + "68656164" + "04000000" + "07000000" +
            "06" + "03" + "727373" + "01000000" + "01" +
            "00"), state);
    }

    [Fact]
    public void UnknownOptionalFields_AreSkipped()
    {
        byte[] newer = DeviceState.Save(w =>
        {
            w.WriteU32("head", 7);
            w.WriteU64("rx-dropped", 12, FieldPresence.Optional, since: "3");
            w.WriteSection("stats", s => s.WriteU32("x", 1, FieldPresence.Required), FieldPresence.Optional);
        });
        uint head = 0;
        DeviceState.Load(newer, "dev0", r => head = r.ReadU32("head"));
        Assert.Equal(7u, head);
    }

    [Fact]
    public void UnknownRequiredField_FailsNamingFieldAndDevice()
    {
        byte[] newer = DeviceState.Save(w =>
        {
            w.WriteU32("head", 7);
            w.WriteSection("rx", s =>
            {
                s.WriteU32("tail", 1);
                s.WriteBool("rss-enabled", true, since: "3");
            });
        });

        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(newer, "nic-7", r =>
        {
            r.ReadU32("head");
            r.ReadSection("rx").ReadU32("tail");
        }));

        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, e.Code);
        Assert.Equal("rx/rss-enabled", e.Field);
        Assert.Equal("nic-7", e.Device);
        Assert.Contains("rx/rss-enabled", e.Message);
        Assert.Contains("nic-7", e.Message);
    }

    [Fact]
    public void UnopenedRequiredSection_IsUnknown()
    {
        byte[] state = DeviceState.Save(w => w.WriteSection("dma", s => s.WriteU64("base", 1)));
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, e.Code);
        Assert.Equal("dma", e.Field);
    }

    [Fact]
    public void MissingRequiredField_IsMalformed()
    {
        byte[] older = DeviceState.Save(w => w.WriteU32("head", 7));
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(older, "d", r => r.ReadU32("tail")));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("tail", e.Field);
    }

    [Fact]
    public void TryRead_OfAnAbsentField_ReturnsFalse()
    {
        byte[] older = DeviceState.Save(w => w.WriteU32("head", 7));
        DeviceState.Load(older, "d", r =>
        {
            Assert.False(r.TryReadU64("rx-dropped", out ulong dropped));
            Assert.Equal(0ul, dropped);
            Assert.False(r.TryReadSection("stats", out DeviceStateReader? stats));
            Assert.Null(stats);
            Assert.True(r.TryReadU32("head", out uint head));
            Assert.Equal(7u, head);
        });
    }

    [Fact]
    public void FieldOfAnotherType_IsMalformed()
    {
        byte[] state = DeviceState.Save(w => w.WriteU16("head", 7));
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadU32("head")));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("u16", e.Message);
        Assert.Contains("u32", e.Message);
    }

    [Fact]
    public void FieldOfAnUnknownType_IsSkippedWhenOptional_AndRefusedWhenRequired()
    {
        // A field of type 17 (reserved for a future format) with a 3-byte value, before a known field.
        byte[] Future(byte tag) => [.. Preamble(), tag, 3, .. "new"u8, 3, 0, 0, 0, 1, 2, 3, .. Field(0x83, "head", [7, 0, 0, 0]), 0];

        uint head = 0;
        DeviceState.Load(Future(17), "d", r => head = r.ReadU32("head"));
        Assert.Equal(7u, head);

        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(Future(0x80 | 17), "d", r => r.ReadU32("head")));
        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, e.Code);
        Assert.Contains("type 17", e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0xFF)]
    public void BoolOtherThanZeroOrOne_IsMalformed(byte value)
    {
        byte[] state = [.. Preamble(), .. Field(0x86, "on", [value]), 0];
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadBool("on"))).Code);
    }

    [Fact]
    public void FixedSizeFieldWithTheWrongLength_IsMalformed()
    {
        byte[] state = [.. Preamble(), .. Field(0x83, "head", [7, 0, 0]), 0];
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadU32("head")));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("head", e.Field);
    }

    [Fact]
    public void SectionLengthBeyondItsParent_IsMalformed()
    {
        // A section whose inner field claims 1000 bytes inside a 12-byte section.
        byte[] inner = Field(0x88, "blob", new byte[2]);
        BinaryPrimitives.WriteUInt32LittleEndian(inner.AsSpan(2 + 4), 1000);
        byte[] state = [.. Preamble(), .. Field(0x89, "rx", inner), 0];

        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadSection("rx")));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("rx/blob", e.Field);
    }

    [Fact]
    public void HugeDeclaredLength_IsRefusedWithoutAllocatingIt()
    {
        byte[] state = [.. Preamble(), 0x88, 4, .. "blob"u8, 0xF0, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { })); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: 1 << 20));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("blob", e.Field);
        Assert.True(allocated < 256 << 10, $"allocated {allocated} bytes");
    }

    [Fact]
    public void HugeDeclaredLength_UnderTheLimit_HoldsOnlyTheBytesReceived()
    {
        // Claims 1 GiB and delivers 3 bytes: truncated, and memory grew by the 3 bytes, not the claim.
        byte[] state = [.. Preamble(), 0x88, 4, .. "blob"u8, 0x00, 0x00, 0x00, 0x40, 1, 2, 3];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: long.MaxValue));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("truncated", e.Message);
        Assert.True(allocated < 256 << 10, $"allocated {allocated} bytes");
    }

    [Fact]
    public void DeclaredLengthBeyondAnyArray_IsRefusedEvenWithoutALimit()
    {
        byte[] state = [.. Preamble(), 0x88, 4, .. "blob"u8, 0xF0, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: long.MaxValue));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("blob", e.Field);
    }

    [Fact]
    public void EveryTruncation_IsMalformed()
    {
        byte[] state = SaveAll();
        for (int length = 0; length < state.Length; length++)
        {
            Exception? e = Record.Exception(() => DeviceState.Load(state.AsSpan(0, length), "d", _ => { }));
            Assert.True(e is DeviceStateException { Code: ErrorCode.DeviceStateMalformed }, $"truncated to {length}: {e?.GetType().Name} {e?.Message}");
        }
    }

    [Fact]
    public void EveryByteFlip_IsRefusedOrLoadsWithADeviceStateError_NeverAnotherException()
    {
        byte[] state = SaveAll();
        for (int i = 0; i < state.Length; i++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[i] ^= 0xFF;
            Exception? e = Record.Exception(() => DeviceState.Load(damaged, "d", r =>
            {
                r.ReadU8("u8");
                r.ReadString("label");
                r.ReadSection("rx").ReadSection("filters").ReadBytes("table");
                r.TryReadBool("on", out _);
            }));
            Assert.True(e is null or DeviceStateException, $"flip at {i}: {e}");
        }
    }

    [Fact]
    public void BytesAfterTheEndMarker_AreMalformed()
    {
        byte[] state = [.. SaveAll(), 0];
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { })).Code);
    }

    [Fact]
    public void WrongMagic_IsMalformed()
    {
        byte[] state = SaveAll();
        state[0] = (byte)'X';
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }));
        Assert.Contains("VFIODST1", e.Message);
    }

    [Fact]
    public void DuplicateNameInASection_IsMalformedWhenLoading_AndRefusedWhenWriting()
    {
        byte[] state = [.. Preamble(), .. Field(0x89, "rx", [.. Field(0x81, "a", [1]), .. Field(0x81, "a", [2])]), 0];
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadSection("rx"))).Code);
        Assert.Throws<ArgumentException>(() => DeviceState.Save(w => { w.WriteU8("a", 1); w.WriteU8("a", 2); }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void InvalidNames_AreRefusedWhenWriting(string name)
        => Assert.Throws<ArgumentException>(() => DeviceState.Save(w => w.WriteU8(name, 1)));

    internal static byte[] Preamble() => Convert.FromHexString("5646494F44535431" + "0100" + "0000");

    internal static byte[] Field(byte tag, string name, byte[] value)
    {
        byte[] f = new byte[6 + name.Length + value.Length];
        f[0] = tag;
        f[1] = (byte)name.Length;
        System.Text.Encoding.ASCII.GetBytes(name, f.AsSpan(2));
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(2 + name.Length), (uint)value.Length);
        value.CopyTo(f, 6 + name.Length);
        return f;
    }
}
