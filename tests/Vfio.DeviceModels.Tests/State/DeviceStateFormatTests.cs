using System.Buffers.Binary;
using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.State;

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
            "5646494F44535431" + "0100" + "0100" +
            "0A" + "06" + "637263333263" + "0C000000" + "19000000" + "EC61788A" + "A67C29CC" +
            "83" + "04" + "68656164" + "04000000" + "07000000" +
            "06" + "03" + "727373" + "01000000" + "01" +
            "00"), state);
    }

    [Fact]
    public void EveryByteFlipPastTheMajorVersion_IsAChecksumMismatch_BeforeTheLoadCodeRuns()
    {
        // The minor version is sealed by the first frame, so even bytes 10-11 are caught; 0-9 are the magic and major.
        byte[] state = SaveAll();
        for (int i = 0; i < state.Length; i++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[i] ^= 0xFF;
            bool loaded = false;
            var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(damaged, "d", _ => loaded = true));
            Assert.False(loaded, $"flip at {i}: the load code ran");
            ErrorCode expected = i < 10 ? ErrorCode.DeviceStateMalformed : ErrorCode.DeviceStateChecksumMismatch;
            Assert.True(e.Code == expected, $"flip at {i}: {e.Code} {e.Message}");
        }
    }

    [Theory]
    [InlineData(0x01)]
    [InlineData(0x80)]
    [InlineData(0x10)]
    public void EverySingleBitFlip_IsAChecksumMismatch(byte bit)
    {
        byte[] state = SaveAll();
        for (int i = 12; i < state.Length; i++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[i] ^= bit;
            var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(damaged, "d", _ => { }));
            Assert.True(e.Code == ErrorCode.DeviceStateChecksumMismatch, $"bit 0x{bit:X2} at {i}: {e.Code} {e.Message}");
        }
    }

    [Fact]
    public void ChecksumMismatch_NamesTheDeviceAndWhereThePieceStarts()
    {
        byte[] state = SaveAll();
        state[^2] ^= 0x04;
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "nic-7", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal("nic-7", e.Device);
        Assert.Contains("from byte 36", e.Message);
        Assert.Contains("the saving device wrote 0x", e.Message);
    }

    [Fact]
    public void Format10Container_WithoutFrames_StillLoads()
    {
        // What a 1.0 writer produced (and what persisted device.state files of older releases hold).
        byte[] older = [.. Preamble10(), .. Field(0x83, "head", [7, 0, 0, 0]), .. Field(0x06, "rss", [1]), 0];
        uint head = 0;
        DeviceState.Load(older, "d", r => head = r.ReadU32("head"));
        Assert.Equal(7u, head);
    }

    [Fact]
    public void Format11Container_WithoutFrames_IsAChecksumMismatch()
    {
        // The first frame's tag damaged, or a writer that claims 1.1 without checksums: either way nothing is verified.
        byte[] state = [.. Preamble(), .. Field(0x83, "head", [7, 0, 0, 0]), .. Field(0x88, "ring", new byte[32]), 0];
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadU32("head")));
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Contains("expected a checksum frame", e.Message);
    }

    [Fact]
    public void MinorDamagedToZero_DoesNotTurnTheChecksOff()
    {
        byte[] state = SaveAll();
        state[10] = 0;
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
    }

    [Fact]
    public void FramedContainer_ReadsAsAValidFieldListToA10Loader()
    {
        // A 1.0 loader (any minor of its major is accepted) sees each frame as an optional field of reserved type 10,
        // keeps the last copy of each top-level name and skips unknown optional fields: walk the container that way.
        byte[] state = DeviceState.Save(w =>
        {
            w.WriteU32("head", 7);
            w.WriteBool("rss", true, FieldPresence.Optional);
        });
        var fields = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        int at = 12;
        while (state[at] != 0)
        {
            long total = DeviceStateReader.MeasureField(state.AsSpan(at));
            fields[System.Text.Encoding.ASCII.GetString(state, at + 2, state[at + 1])] = state.AsMemory(at, (int)total);
            at += (int)total;
        }
        Assert.Equal(state.Length - 1, at);
        Assert.Equal(["crc32c", "head", "rss"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0x0A, fields["crc32c"].Span[0]);
        DeviceStateReader reader = DeviceStateReader.Parse("old", "", fields.Values);
        Assert.Equal(7u, reader.ReadU32("head"));
        reader.Complete();
    }

    [Fact]
    public void FieldThatDoesNotEndInsideItsFrame_IsMalformed()
    {
        // A writer bug, not damage: the frame's checksums are right, but its payload's only field claims 100 bytes.
        byte[] payload = [.. Field(0x83, "head", [7, 0, 0, 0]), 0];
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(6), 100);
        byte[] state = [.. Preamble(), .. Frame(Preamble(), payload)];
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("does not end inside its checksum frame", e.Message);
    }

    [Fact]
    public void BytesAfterTheEndMarkerInsideAFrame_AreMalformed()
    {
        byte[] state = [.. Preamble(), .. Frame(Preamble(), [.. Field(0x83, "head", [7, 0, 0, 0]), 0, 0])];
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("follow the end marker", e.Message);
    }

    [Fact]
    public void Reseal_AfterADeliberateEdit_LoadsTheEditedValue_AndRefusesAnUnframedContainer()
    {
        byte[] state = DeviceState.Save(w => w.WriteU32("head", 7));
        int value = state.Length - 1 - 4;
        state[value] = 9;
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadU32("head"))).Code);

        DeviceState.Reseal(state);

        uint head = 0;
        DeviceState.Load(state, "d", r => head = r.ReadU32("head"));
        Assert.Equal(9u, head);
        byte[] older = [.. Preamble10(), .. Field(0x83, "head", [7, 0, 0, 0]), 0];
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Reseal(older)).Code);
    }

    [Fact]
    public void FramesMovedOrDropped_AreAChecksumMismatch()
    {
        // Two frames, each sound on its own: swapped, the chain of frame CRCs no longer holds.
        byte[] first = Frame(Preamble(), Field(0x83, "head", [7, 0, 0, 0]));
        uint chain = BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(20));
        byte[] second = Frame(chain, [.. Field(0x83, "tail", [1, 0, 0, 0]), 0]);
        uint head = 0, tail = 0;
        DeviceState.Load([.. Preamble(), .. first, .. second], "d", r => { head = r.ReadU32("head"); tail = r.ReadU32("tail"); });
        Assert.Equal((7u, 1u), (head, tail));

        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load([.. Preamble(), .. second, .. first], "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        e = Assert.Throws<DeviceStateException>(() => DeviceState.Load([.. Preamble(), .. second], "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
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
        byte[] Future(byte tag) => Framed([tag, 3, .. "new"u8, 3, 0, 0, 0, 1, 2, 3, .. Field(0x83, "head", [7, 0, 0, 0]), 0]);

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
        byte[] state = Framed([.. Field(0x86, "on", [value]), 0]);
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadBool("on"))).Code);
    }

    [Fact]
    public void FixedSizeFieldWithTheWrongLength_IsMalformed()
    {
        byte[] state = Framed([.. Field(0x83, "head", [7, 0, 0]), 0]);
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
        byte[] state = Framed([.. Field(0x89, "rx", inner), 0]);

        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadSection("rx")));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("rx/blob", e.Field);
    }

    [Fact]
    public void HugeDeclaredLength_IsRefusedWithoutAllocatingIt()
    {
        byte[] state = [.. Preamble10(), 0x88, 4, .. "blob"u8, 0xF0, 0xFF, 0xFF, 0xFF, 1, 2, 3];
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
        byte[] state = [.. Preamble10(), 0x88, 4, .. "blob"u8, 0x00, 0x00, 0x00, 0x40, 1, 2, 3];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: long.MaxValue));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("truncated", e.Message);
        Assert.True(allocated < 256 << 10, $"allocated {allocated} bytes");
    }

    [Fact]
    public void FrameClaimingAHugePayload_HoldsOnlyTheBytesReceived()
    {
        // A sound frame that claims 1 GiB and delivers 3 bytes: truncated, and memory grew by the 3 bytes, not the claim.
        byte[] frame = new byte[DeviceStateFormat.FrameLength];
        DeviceStateFormat.WriteFrame(frame, 1u << 30, 0, DeviceStateFormat.ChainStart(Preamble()));
        byte[] state = [.. Preamble(), .. frame, 1, 2, 3];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: long.MaxValue));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("truncated", e.Message);
        Assert.True(allocated < 256 << 10, $"allocated {allocated} bytes");
    }

    [Fact]
    public void FrameCoveringMoreThanAnArrayHolds_IsMalformed()
    {
        byte[] frame = new byte[DeviceStateFormat.FrameLength];
        DeviceStateFormat.WriteFrame(frame, uint.MaxValue, 0, DeviceStateFormat.ChainStart(Preamble()));
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load([.. Preamble(), .. frame, 1, 2, 3], "d", _ => { }));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Contains("more than one array holds", e.Message);
    }

    [Fact]
    public void FieldInAFrameAboveTheLimit_IsMalformed()
    {
        byte[] state = Framed([.. Field(0x88, "blob", new byte[64]), 0]);
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", _ => { }, maxFieldLength: 32));
        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("blob", e.Field);
    }

    [Fact]
    public void DeclaredLengthBeyondAnyArray_IsRefusedEvenWithoutALimit()
    {
        byte[] state = [.. Preamble10(), 0x88, 4, .. "blob"u8, 0xF0, 0xFF, 0xFF, 0xFF, 1, 2, 3];
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
        byte[] state = Framed([.. Field(0x89, "rx", [.. Field(0x81, "a", [1]), .. Field(0x81, "a", [2])]), 0]);
        Assert.Equal(ErrorCode.DeviceStateMalformed, Assert.Throws<DeviceStateException>(() => DeviceState.Load(state, "d", r => r.ReadSection("rx"))).Code);
        Assert.Throws<ArgumentException>(() => DeviceState.Save(w => { w.WriteU8("a", 1); w.WriteU8("a", 2); }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void InvalidNames_AreRefusedWhenWriting(string name)
        => Assert.Throws<ArgumentException>(() => DeviceState.Save(w => w.WriteU8(name, 1)));

    internal static byte[] Preamble() => Convert.FromHexString("5646494F44535431" + "0100" + "0100");

    /// <summary>The preamble of a format 1.0 container: no checksum frames, fields checked as they stream in.</summary>
    internal static byte[] Preamble10() => Convert.FromHexString("5646494F44535431" + "0100" + "0000");

    /// <summary>A 1.1 container whose one frame covers <paramref name="body"/> (fields and the end marker).</summary>
    internal static byte[] Framed(byte[] body) => [.. Preamble(), .. Frame(Preamble(), body)];

    /// <summary>A checksum frame followed by its payload, continuing the chain of the preamble.</summary>
    internal static byte[] Frame(byte[] preamble, byte[] payload) => Frame(DeviceStateFormat.ChainStart(preamble), payload);

    /// <summary>A checksum frame followed by its payload, continuing the chain value of the previous frame.</summary>
    internal static byte[] Frame(uint chain, byte[] payload)
    {
        byte[] piece = [.. new byte[DeviceStateFormat.FrameLength], .. payload];
        DeviceStateFormat.SealFrame(piece, chain);
        return piece;
    }

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
