using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>
/// A stream of three data chunks, written once by the writer and kept as tests/testdata/streams/envelope-3-chunks.bin,
/// so a change to the writer or the reader (copies, CRC code) cannot change the format by accident. The chunk sizes
/// are picked to run every path of the CRC: 30000 bytes (the interleaved long blocks, short blocks and a tail),
/// 1000 bytes (short blocks and a tail) and 5 bytes (bytes only). Set STREAMS_REGEN=1 to rewrite the file, which
/// is a format change: say so in the commit and in docs/stream-format.md.
/// </summary>
public sealed class EnvelopeGoldenTests
{
    private static readonly MigrationStreamHeader Header = new("vendor-a.com/my-nic", "rss=on,rx-filter-size=64", "golden0");
    private static readonly int[] ChunkLengths = [30000, 1000, 5];

    private static string GoldenPath => Path.Combine(Repo.Root, "tests", "testdata", "streams", "envelope-3-chunks.bin");

    // A fixed generator (xorshift64), not System.Random, so the data cannot change with the runtime.
    private static byte[] Data(int length, ulong seed)
    {
        byte[] data = new byte[length];
        ulong x = seed;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data[i] = (byte)(x >> 32);
        }
        return data;
    }

    private static byte[][] Chunks() => ChunkLengths.Select((n, i) => Data(n, 0x9E37_79B9_7F4A_7C15ul + (ulong)i)).ToArray();

    private static byte[] Written()
    {
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, Header, chunkSize: 32 << 10);
        foreach (byte[] chunk in Chunks())
        {
            writer.Write(chunk);
        }
        writer.Complete();
        return output.ToArray();
    }

    private static byte[] Golden()
    {
        if (Environment.GetEnvironmentVariable("STREAMS_REGEN") == "1")
        {
            File.WriteAllBytes(GoldenPath, Written());
        }
        Assert.True(File.Exists(GoldenPath), $"golden file {GoldenPath} is missing");
        return File.ReadAllBytes(GoldenPath);
    }

    private static byte[] AllData() => Chunks().SelectMany(c => c).ToArray();

    [Fact]
    public void Writer_StillProducesTheGoldenBytes() => Assert.Equal(Golden(), Written());

    [Fact]
    public async Task AsyncWriter_StillProducesTheGoldenBytes()
    {
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, Header, chunkSize: 32 << 10);
        foreach (byte[] chunk in Chunks())
        {
            await writer.WriteAsync(chunk);
        }
        await writer.CompleteAsync();
        Assert.Equal(Golden(), output.ToArray());
    }

    [Fact]
    public void GoldenFile_HoldsThreeDataChunks()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Golden()), _ => { });
        using var sink = new MemoryStream();
        reader.CopyTo(sink);
        Assert.True(reader.IsComplete);
        byte[] golden = Golden();
        // End record payload: total bytes (u64), chunk count (u32), header CRC (u32), at the end of the stream.
        Assert.Equal(3u, BitConverter.ToUInt32(golden, golden.Length - 8));
        Assert.Equal(31005ul, BitConverter.ToUInt64(golden, golden.Length - 16));
    }

    [Fact]
    public void CopyTo_ReadsTheGoldenDataBack()
    {
        MigrationStreamHeader? seen = null;
        using var reader = new MigrationStreamReader(new MemoryStream(Golden()), h => seen = h);
        using var sink = new MemoryStream();
        reader.CopyTo(sink);
        Assert.Equal(Header, seen);
        Assert.Equal(AllData(), sink.ToArray());
    }

    [Fact]
    public async Task CopyToAsync_ReadsTheGoldenDataBack()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Golden()), _ => { });
        using var sink = new MemoryStream();
        await reader.CopyToAsync(sink);
        Assert.Equal(AllData(), sink.ToArray());
    }

    [Theory]
    [InlineData(1)]          // every byte through the reader's own buffer
    [InlineData(777)]        // partial chunks
    [InlineData(32 << 10)]   // whole chunks straight into the caller's buffer
    [InlineData(1 << 20)]    // larger than any chunk
    public void Read_InPiecesOfAnySize_ReadsTheGoldenDataBack(int pieceLength)
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Golden()), _ => { });
        using var sink = new MemoryStream();
        byte[] piece = new byte[pieceLength];
        int n;
        while ((n = reader.Read(piece)) > 0)
        {
            sink.Write(piece, 0, n);
        }
        Assert.True(reader.IsComplete);
        Assert.Equal(AllData(), sink.ToArray());
    }
}
