using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>The writer's chunk buffer: the source fills it in place; the bytes equal those of Write, and memory stays one chunk.</summary>
public sealed class MigrationStreamWriterChunkBufferTests
{
    [Fact]
    public void ChunkBuffer_FilledInPieces_WritesTheSameStreamAsWrite()
    {
        byte[] data = StreamTestData.Random(1000, seed: 3);
        using var viaWrite = new MemoryStream();
        var plain = new MigrationStreamWriter(viaWrite, StreamTestData.Header, chunkSize: 300);
        for (int at = 0; at < data.Length; at += 300)
        {
            plain.Write(data.AsSpan(at, Math.Min(300, data.Length - at)));
        }
        plain.Complete();

        using var viaBuffer = new MemoryStream();
        var writer = new MigrationStreamWriter(viaBuffer, StreamTestData.Header, chunkSize: 300);
        for (int at = 0; at < data.Length;)
        {
            // Pieces of 70 bytes, as a device session returning short reads would deliver them.
            Span<byte> free = writer.GetChunkMemory().Span;
            int n = Math.Min(Math.Min(70, free.Length), data.Length - at);
            data.AsSpan(at, n).CopyTo(free);
            writer.Advance(n);
            at += n;
            if (writer.IsChunkFull)
            {
                writer.WriteChunk();
            }
        }
        writer.Complete();

        Assert.Equal(viaWrite.ToArray(), viaBuffer.ToArray());
        Assert.Equal(data, StreamTestData.ReadAll(viaBuffer.ToArray()));
    }

    [Theory]
    [InlineData(1)] // every piece comes with its checksum: each record's is combined from them
    [InlineData(3)] // every third piece comes without: those records are checksummed by the writer
    public void ChunkBuffer_WithTheSourcesChecksums_WritesTheSameStream(int withoutEvery)
    {
        byte[] data = StreamTestData.Random(1000, seed: 4);
        byte[] plain = FillInPieces(data, (_, _) => null);

        byte[] checksummed = FillInPieces(data, (piece, i) => withoutEvery > 1 && i % withoutEvery == 0 ? null : Crc32C.Compute(piece));

        Assert.Equal(plain, checksummed);
    }

    [Fact]
    public void ChunkBuffer_AWrongChecksumFromTheSource_IsWhatTheRecordCarries_AndTheReaderRefusesIt()
    {
        byte[] data = StreamTestData.Random(1000, seed: 5);

        // The writer trusts the source's checksum (it does not read the bytes again): a source whose bytes changed
        // after it checksummed them produces a record that no reader accepts.
        byte[] envelope = FillInPieces(data, (piece, i) => i == 5 ? Crc32C.Compute(piece) ^ 1 : Crc32C.Compute(piece));

        Assert.Equal(ErrorCode.StreamCrc, StreamTestData.Refusal(envelope).Code);
    }

    // Fills 300-byte chunks in pieces of 70 bytes, each with the checksum `crc` gives for it (piece, index).
    private static byte[] FillInPieces(byte[] data, Func<byte[], int, uint?> crc)
    {
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, StreamTestData.Header, chunkSize: 300);
        int i = 0;
        for (int at = 0; at < data.Length; i++)
        {
            Span<byte> free = writer.GetChunkMemory().Span;
            int n = Math.Min(Math.Min(70, free.Length), data.Length - at);
            data.AsSpan(at, n).CopyTo(free);
            writer.Advance(n, crc(data.AsSpan(at, n).ToArray(), i));
            at += n;
            if (writer.IsChunkFull)
            {
                writer.WriteChunk();
            }
        }
        writer.Complete();
        return output.ToArray();
    }

    [Fact]
    public void Advance_PastTheFreeSpace_IsRefused()
    {
        var writer = new MigrationStreamWriter(Stream.Null, StreamTestData.Header, chunkSize: 16);
        writer.Advance(writer.GetChunkMemory().Length - 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(2));
    }

    [Fact]
    public void CopyFrom_MemoryIsBoundedByTheChunkSize()
    {
        const int size = 32 << 20;
        var source = new MemoryStream(new byte[size]);
        long before = GC.GetAllocatedBytesForCurrentThread();

        long copied = MigrationStreamWriter.CopyFrom(source, Stream.Null, StreamTestData.Header, chunkSize: 1 << 20);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(size, copied);
        // One pooled chunk buffer (1 MiB + a record header; the pool may hand out a fresh one), never the 32 MiB state.
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes to write {size}");
    }
}
