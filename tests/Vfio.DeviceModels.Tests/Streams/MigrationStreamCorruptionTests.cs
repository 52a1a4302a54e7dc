using System.Buffers.Binary;
using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>Every way a stream can be damaged is refused with its own code, and never with another exception type.</summary>
public sealed class MigrationStreamCorruptionTests
{
    private static readonly ErrorCode[] StreamCodes =
    [
        ErrorCode.StreamMagic, ErrorCode.StreamFormatVersion, ErrorCode.StreamCrc, ErrorCode.StreamTruncated,
        ErrorCode.StreamLengthOversized, ErrorCode.StreamTrailingData, ErrorCode.StreamRecordInvalid, ErrorCode.StreamLengthMismatch,
    ];

    // A small stream: header, a 10-byte chunk and a 7-byte chunk, end record.
    private static readonly byte[] Data = StreamTestData.Random(17, seed: 7);
    private static readonly byte[] Small = StreamTestData.Envelope(Data, chunkSize: 10);
    private static readonly int HeaderEnd = StreamTestData.Envelope([], 10).Length - 28; // preamble + header record
    private static int FirstChunk => HeaderEnd;                 // its 12-byte record header, then 10 bytes
    private static int SecondChunk => HeaderEnd + 22;
    private static int EndRecord => HeaderEnd + 22 + 19;

    [Fact]
    public void Layout_IsWhatTheTestAssumes()
    {
        Assert.Equal(EndRecord + 28, Small.Length);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(Small.AsSpan(FirstChunk)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(Small.AsSpan(SecondChunk)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(Small.AsSpan(EndRecord)));
        Assert.Equal(Data, StreamTestData.ReadAll(Small, 10));
    }

    [Fact]
    public void EveryBitFlip_IsRefusedWithAStreamCode()
    {
        for (int i = 0; i < Small.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] damaged = (byte[])Small.Clone();
                damaged[i] ^= (byte)(1 << bit);
                Exception? e = Record.Exception(() => StreamTestData.ReadAll(damaged, 10));
                Assert.True(e is MigrationStreamException, $"flip of bit {bit} at byte {i}: {e?.GetType().Name ?? "accepted"} {e?.Message}");
                Assert.Contains(((MigrationStreamException)e!).Code, StreamCodes);
            }
        }
    }

    [Fact]
    public void EveryByteFlip_InTheMagic_IsStreamMagic()
    {
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(ErrorCode.StreamMagic, StreamTestData.Refusal(Flip(Small, i)).Code);
        }
    }

    [Fact]
    public void ByteFlip_InTheMajorVersion_IsStreamFormatVersion()
    {
        Assert.Equal(ErrorCode.StreamFormatVersion, StreamTestData.Refusal(Flip(Small, 8)).Code);
        Assert.Equal(ErrorCode.StreamFormatVersion, StreamTestData.Refusal(Flip(Small, 9)).Code);
    }

    [Fact]
    public void ByteFlip_InTheMinorVersion_IsCaughtByTheHeaderCrcInTheEndRecord()
    {
        MigrationStreamException e = StreamTestData.Refusal(Flip(Small, 10));
        Assert.Equal(ErrorCode.StreamCrc, e.Code);
        Assert.Equal(EndRecord, e.Offset);
    }

    [Fact]
    public void EveryByteFlip_InChunkDataOrCrc_IsStreamCrc()
    {
        foreach (int chunk in new[] { FirstChunk, SecondChunk })
        {
            int length = chunk == FirstChunk ? 10 : 7;
            for (int i = chunk + 8; i < chunk + 12 + length; i++)
            {
                MigrationStreamException e = StreamTestData.Refusal(Flip(Small, i));
                Assert.Equal(ErrorCode.StreamCrc, e.Code);
                Assert.Equal(chunk, e.Offset);
            }
        }
    }

    [Fact]
    public void EveryByteFlip_InTheHeaderRecordPayload_IsStreamCrc()
    {
        for (int i = 24; i < HeaderEnd; i++)
        {
            Assert.Equal(ErrorCode.StreamCrc, StreamTestData.Refusal(Flip(Small, i)).Code);
        }
    }

    [Fact]
    public void EveryTruncation_IsStreamTruncated()
    {
        for (int length = 0; length < Small.Length; length++)
        {
            MigrationStreamException e = StreamTestData.Refusal(Small[..length]);
            Assert.True(e.Code == ErrorCode.StreamTruncated, $"truncated to {length}: {e.Code} {e.Message}");
            Assert.Equal(length, e.Offset);
        }
    }

    [Fact]
    public void TrailingBytes_AfterTheEndRecord_AreStreamTrailingData()
    {
        MigrationStreamException e = StreamTestData.Refusal([.. Small, 0]);
        Assert.Equal(ErrorCode.StreamTrailingData, e.Code);
        Assert.Equal(Small.Length, e.Offset);
    }

    [Theory]
    [InlineData(11u)]
    [InlineData(0xFFFF_FFFFu)]
    public void ChunkLength_BeyondTheReadersLimit_IsStreamLengthOversized(uint length)
    {
        byte[] damaged = (byte[])Small.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(FirstChunk + 4), length);

        MigrationStreamException e = StreamTestData.Refusal(damaged, maxChunkSize: 10);
        Assert.Equal(ErrorCode.StreamLengthOversized, e.Code);
        Assert.Equal(length.ToString(), e.Value);
    }

    [Fact]
    public void HugeChunkLength_IsRefusedWithoutAllocatingIt()
    {
        byte[] damaged = (byte[])Small.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(FirstChunk + 4), 0xFFFF_FFF0u);
        StreamTestData.Refusal(damaged); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        MigrationStreamException e = StreamTestData.Refusal(damaged, maxChunkSize: 64 << 20);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.StreamLengthOversized, e.Code);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void UnknownRecordKind_WithAValidCrc_IsStreamRecordInvalid()
    {
        byte[] damaged = (byte[])Small.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(SecondChunk), 9);

        MigrationStreamException e = StreamTestData.Refusal(damaged);
        Assert.Equal(ErrorCode.StreamRecordInvalid, e.Code);
        Assert.Equal(SecondChunk, e.Offset);
    }

    [Fact]
    public void EndRecordTotals_ThatDisagree_AreStreamLengthMismatch()
    {
        // Rewrite the end record's byte total and fix its CRC, as a buggy or malicious writer would.
        byte[] damaged = (byte[])Small.Clone();
        Span<byte> payload = damaged.AsSpan(EndRecord + 12, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(payload, 18);
        BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(EndRecord + 8), Crc32C.Compute(payload));

        MigrationStreamException e = StreamTestData.Refusal(damaged);
        Assert.Equal(ErrorCode.StreamLengthMismatch, e.Code);
        Assert.Equal("18", e.Value);
        Assert.Equal("17", e.Expected);
    }

    [Fact]
    public void MissingEndRecord_IsStreamTruncated()
        => Assert.Equal(ErrorCode.StreamTruncated, StreamTestData.Refusal(Small[..EndRecord]).Code);

    [Fact]
    public void SecondHeaderRecord_IsStreamRecordInvalid()
    {
        byte[] headerRecord = Small[12..HeaderEnd];
        byte[] damaged = [.. Small[..HeaderEnd], .. headerRecord, .. Small[HeaderEnd..]];
        Assert.Equal(ErrorCode.StreamRecordInvalid, StreamTestData.Refusal(damaged).Code);
    }

    [Fact]
    public void NotAStreamAtAll_IsStreamMagic()
    {
        MigrationStreamException e = StreamTestData.Refusal("{\"json\": true, \"not\": \"a stream\"}"u8.ToArray());
        Assert.Equal(ErrorCode.StreamMagic, e.Code);
        Assert.Contains("VFIOMIG1", e.Message);
    }

    [Fact]
    public async Task AsyncReader_RefusesTheSameWays()
    {
        foreach ((byte[] damaged, ErrorCode code) in new[]
        {
            (Flip(Small, 0), ErrorCode.StreamMagic),
            (Flip(Small, 8), ErrorCode.StreamFormatVersion),
            (Flip(Small, FirstChunk + 13), ErrorCode.StreamCrc),
            (Small[..(Small.Length - 1)], ErrorCode.StreamTruncated),
            (Small[..5], ErrorCode.StreamTruncated),
            ([.. Small, 1, 2], ErrorCode.StreamTrailingData),
        })
        {
            using var reader = new MigrationStreamReader(new MemoryStream(damaged), _ => { }, 10);
            var e = await Assert.ThrowsAsync<MigrationStreamException>(() => reader.CopyToAsync(Stream.Null));
            Assert.Equal(code, e.Code);
        }
    }

    private static byte[] Flip(byte[] stream, int at)
    {
        byte[] copy = (byte[])stream.Clone();
        copy[at] ^= 0xFF;
        return copy;
    }
}
