using System.Buffers.Binary;
using System.IO.Pipelines;
using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>Multi-channel transfers: in-order reassembly, and a missing, swapped, foreign or cut channel refused with its code.</summary>
public sealed class MigrationChannelTests
{
    private static readonly byte[] Data = StreamTestData.Random(10_000, seed: 11);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task RoundTrip_ReassemblesTheDataInOrder(int channels)
    {
        byte[][] streams = await WriteAsync(Data, channels, chunkSize: 300);

        Assert.Equal(Data, await ReadAsync(streams));
    }

    [Fact]
    public async Task OneChannel_IsTheFormat10StreamByteForByte()
    {
        byte[][] streams = await WriteAsync(Data, 1, chunkSize: 300);

        Assert.Equal(StreamTestData.Envelope(Data, 300), streams[0]);
    }

    [Fact]
    public async Task ChunksGoRoundRobin_AndEachChannelIsAFormat2Envelope()
    {
        byte[][] streams = await WriteAsync(Data, 4, chunkSize: 1000, transferId: 0x1234);

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(StreamFormat.ChannelMajor, BinaryPrimitives.ReadUInt16LittleEndian(streams[i].AsSpan(8)));
            // 10 chunks of 1000 bytes: channels 0 and 1 carry 3, channels 2 and 3 carry 2.
            Assert.Equal(i < 2 ? 3u : 2u, BinaryPrimitives.ReadUInt32LittleEndian(streams[i].AsSpan(streams[i].Length - StreamFormat.ChannelEndRecordLength + 8)));
        }
    }

    [Fact]
    public async Task ASingleChannelOfSeveral_GivenToAPlainReader_IsChannelMismatch()
    {
        byte[][] streams = await WriteAsync(Data, 2, chunkSize: 300);

        MigrationStreamException e = StreamTestData.Refusal(streams[0]);

        Assert.Equal(ErrorCode.StreamChannelMismatch, e.Code);
        Assert.Contains("--channels 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwappedChannels_AreRefusedBeforeAnyData()
    {
        byte[][] streams = await WriteAsync(Data, 4, chunkSize: 300);
        bool validated = false;

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadHeadersAsync([streams[0], streams[2], streams[1], streams[3]], _ => validated = true));

        Assert.Equal(ErrorCode.StreamChannelMismatch, e.Code);
        Assert.Contains("channel 2 of 4", e.Message, StringComparison.Ordinal);
        Assert.True(validated); // channel 0's header reached the validator; no data was read from any channel
    }

    [Fact]
    public async Task AChannelOfAnotherTransfer_IsChannelMismatch()
    {
        byte[][] one = await WriteAsync(Data, 2, chunkSize: 300, transferId: 1);
        byte[][] other = await WriteAsync(Data, 2, chunkSize: 300, transferId: 2);

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadHeadersAsync([one[0], other[1]], _ => { }));

        Assert.Equal(ErrorCode.StreamChannelMismatch, e.Code);
    }

    [Fact]
    public async Task FewerChannelsThanSaved_IsChannelMismatch()
    {
        byte[][] streams = await WriteAsync(Data, 4, chunkSize: 300);

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadHeadersAsync(streams[..2], _ => { }));

        Assert.Equal(ErrorCode.StreamChannelMismatch, e.Code);
        Assert.Contains("expected channel 0 of 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedChannel_IsStreamTruncated()
    {
        byte[][] streams = await WriteAsync(Data, 4, chunkSize: 300);
        streams[2] = streams[2][..(streams[2].Length - 40)];

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadAsync(streams));

        Assert.Equal(ErrorCode.StreamTruncated, e.Code);
    }

    [Fact]
    public async Task AChannelMissingItsLastChunk_IsRefused()
    {
        // 34 chunks of 300 bytes (the last 100) over 2 channels: channel 1 holds 17. Rewrite channel 1 with 16 of them.
        byte[][] streams = await WriteAsync(Data, 2, chunkSize: 300, transferId: 9);
        byte[][] shorter = await WriteAsync(Data[..9_900], 2, chunkSize: 300, transferId: 9);

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadAsync([streams[0], shorter[1]]));

        // Each channel's own end record is consistent; the transfer totals every end record declares are not.
        Assert.Equal(ErrorCode.StreamLengthMismatch, e.Code);
    }

    [Fact]
    public async Task AChannelWithAChunkMoreThanItsTurn_IsChannelMismatch()
    {
        // Channel 0 of 10000 bytes holds 17 chunks; channel 1 of 10600 bytes holds 18, one past the point where channel 0 ends.
        byte[][] streams = await WriteAsync(Data, 2, chunkSize: 300, transferId: 9);
        byte[][] longer = await WriteAsync(StreamTestData.Random(10_600, seed: 11), 2, chunkSize: 300, transferId: 9);

        var e = await Assert.ThrowsAsync<MigrationStreamException>(() => ReadAsync([streams[0], longer[1]]));

        Assert.Equal(ErrorCode.StreamChannelMismatch, e.Code);
        Assert.Contains("out of step", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipeLoader_DecodesWhatTheStreamReaderDecodes_AndRefusesTheSame()
    {
        byte[] envelope = StreamTestData.Envelope(Data, 300);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(envelope);
        await pipe.Writer.CompleteAsync();
        using var received = new MemoryStream();

        long copied = await MigrationStreamPipeLoader.CopyToAsync(pipe.Reader, new MigrationStreamDecoder(_ => { }), received);

        Assert.Equal(Data.Length, copied);
        Assert.Equal(Data, received.ToArray());
        foreach (int length in new[] { 0, 11, 30, envelope.Length - 1 })
        {
            var cut = new Pipe();
            await cut.Writer.WriteAsync(envelope.AsMemory(0, length));
            await cut.Writer.CompleteAsync();
            var e = await Assert.ThrowsAsync<MigrationStreamException>(() => MigrationStreamPipeLoader.CopyToAsync(cut.Reader, new MigrationStreamDecoder(_ => { }), Stream.Null));
            Assert.Equal(ErrorCode.StreamTruncated, e.Code);
            Assert.Equal(StreamTestData.Refusal(envelope[..length]).Offset, e.Offset);
        }
    }

    internal static async Task<byte[][]> WriteAsync(byte[] data, int channels, int chunkSize, ulong? transferId = null)
    {
        MemoryStream[] outputs = [.. Enumerable.Range(0, channels).Select(_ => new MemoryStream())];
        var writer = new MigrationChannelWriter(outputs, StreamTestData.Header, chunkSize, transferId);
        await writer.WriteHeadersAsync();
        for (int at = 0; at < data.Length;)
        {
            Memory<byte> chunk = await writer.GetChunkMemoryAsync();
            int n = Math.Min(chunk.Length, data.Length - at);
            data.AsSpan(at, n).CopyTo(chunk.Span);
            writer.Advance(n);
            at += n;
            if (writer.IsChunkFull)
            {
                await writer.WriteChunkAsync();
            }
        }
        await writer.CompleteAsync();
        return [.. outputs.Select(o => o.ToArray())];
    }

    private static async Task<byte[]> ReadAsync(byte[][] streams)
    {
        using var reader = new MigrationChannelReader([.. streams.Select(s => new MemoryStream(s))], _ => { }, 1 << 20);
        using var received = new MemoryStream();
        await reader.CopyToAsync(received);
        Assert.True(reader.IsComplete);
        return received.ToArray();
    }

    private static async Task ReadHeadersAsync(byte[][] streams, Action<MigrationStreamHeader> validate)
    {
        using var reader = new MigrationChannelReader([.. streams.Select(s => new MemoryStream(s))], validate);
        await reader.ReadHeadersAsync();
    }
}

/// <summary>Runs alone: the channels' threads allocate on other threads, so only a process-wide count measures them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuredOverAllThreads
{
    /// <summary>The collection's name.</summary>
    public const string Name = "allocation measured over all threads";
}

/// <summary>The memory of a multi-channel copy is bounded by channels x chunk size, never by the state.</summary>
[Collection(AllocationMeasuredOverAllThreads.Name)]
public sealed class MigrationChannelAllocationTests
{
    [Fact]
    public async Task CopyTo_AllocationIsBoundedByChannelsTimesChunk_NotByTheState()
    {
        const int size = 32 << 20;
        byte[][] streams = await MigrationChannelTests.WriteAsync(new byte[size], 4, chunkSize: 1 << 20);
        using var reader = new MigrationChannelReader([.. streams.Select(s => new MemoryStream(s))], _ => { });
        await reader.ReadHeadersAsync();

        long before = GC.GetTotalAllocatedBytes(precise: true);
        long copied = await reader.CopyToAsync(Stream.Null);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(size, copied);
        Assert.True(reader.IsComplete);
        // Two pooled 1 MiB buffers per channel (the pool may hand out fresh ones) and a task per chunk, never the 32 MiB state.
        Assert.True(allocated < 12 << 20, $"allocated {allocated} bytes to copy {size}");
    }

}
