using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>
/// The push shell decodes exactly what the reader decodes, however the envelope is cut into writes, and refuses
/// exactly what the reader refuses, at the same offset, with the same code.
/// </summary>
public sealed class MigrationStreamDecodingStreamTests
{
    private static readonly byte[] Data = StreamTestData.Random(2_345, seed: 5);
    private static readonly byte[] Envelope = StreamTestData.Envelope(Data, chunkSize: 300);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(299)]
    [InlineData(313)]
    [InlineData(100_000)]
    public void Writes_OfAnySize_DeliverTheData(int writeSize)
    {
        using var received = new MemoryStream();
        using var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 300), received);

        for (int at = 0; at < Envelope.Length; at += writeSize)
        {
            sink.Write(Envelope.AsSpan(at, Math.Min(writeSize, Envelope.Length - at)));
        }
        long written = sink.Finish();

        Assert.Equal(Data.Length, written);
        Assert.Equal(Data, received.ToArray());
        Assert.Equal(8u, sink.Decoder.ChunkCount);
    }

    [Fact]
    public void A_writer_in_front_of_it_moves_the_data_in_one_process()
    {
        using var received = new MemoryStream();
        using var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 512), received);
        var writer = new MigrationStreamWriter(sink, StreamTestData.Header, chunkSize: 512);

        for (int at = 0; at < Data.Length;)
        {
            Span<byte> chunk = writer.GetChunkMemory().Span;
            int n = Math.Min(chunk.Length, Data.Length - at);
            Data.AsSpan(at, n).CopyTo(chunk);
            writer.Advance(n);
            at += n;
            if (writer.IsChunkFull)
            {
                writer.WriteChunk();
            }
        }
        writer.Complete();

        Assert.Equal(Data.Length, sink.Finish());
        Assert.Equal(Data, received.ToArray());
        Assert.Equal(StreamTestData.Header, sink.Decoder.Header);
    }

    [Fact]
    public void EveryByteFlip_IsRefusedAsTheReaderRefusesIt()
    {
        byte[] small = StreamTestData.Envelope(StreamTestData.Random(17, seed: 7), chunkSize: 10);
        for (int i = 0; i < small.Length; i++)
        {
            byte[] damaged = (byte[])small.Clone();
            damaged[i] ^= 0x5A;
            MigrationStreamException expected = StreamTestData.Refusal(damaged, 10);

            var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 10), Stream.Null);
            var e = Assert.Throws<MigrationStreamException>(() =>
            {
                sink.Write(damaged);
                sink.Finish();
            });

            Assert.Equal(expected.Code, e.Code);
            Assert.Equal(expected.Offset, e.Offset);
        }
    }

    [Fact]
    public void A_stream_that_stops_early_is_truncated_at_Finish_and_what_was_verified_stays_delivered()
    {
        foreach (int length in new[] { 0, 11, 30, Envelope.Length / 2, Envelope.Length - 1 })
        {
            using var received = new MemoryStream();
            var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 300), received);
            sink.Write(Envelope.AsSpan(0, length));

            var e = Assert.Throws<MigrationStreamException>(() => sink.Finish());

            Assert.Equal(ErrorCode.StreamTruncated, e.Code);
            Assert.Equal(StreamTestData.Refusal(Envelope[..length]).Offset, e.Offset);
            Assert.Equal(sink.Decoder.DataLength, received.Length);
            Assert.Equal(Data.AsSpan(0, (int)received.Length).ToArray(), received.ToArray());
        }
    }

    [Fact]
    public void Bytes_after_the_end_record_are_trailing_data_in_the_write_that_carries_them()
    {
        using var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 300), Stream.Null);
        sink.Write(Envelope);

        var e = Assert.Throws<MigrationStreamException>(() => sink.Write([0]));

        Assert.Equal(ErrorCode.StreamTrailingData, e.Code);
        Assert.Equal(Envelope.Length, e.Offset);
    }

    [Fact]
    public void A_refused_header_stops_the_stream_before_any_data_reaches_the_destination()
    {
        using var received = new MemoryStream();
        using var sink = new MigrationStreamDecodingStream(
            new MigrationStreamDecoder(h => throw new MigrationStreamException(ErrorCode.StreamHeaderMismatch, 0, $"refused {h.ModelId}"), 300), received);

        var e = Assert.Throws<MigrationStreamException>(() => sink.Write(Envelope));

        Assert.Equal(ErrorCode.StreamHeaderMismatch, e.Code);
        Assert.Equal(0, received.Length);
    }

    [Fact]
    public async Task WriteAsync_decodes_as_Write_does_and_a_finished_sink_takes_no_more()
    {
        using var received = new MemoryStream();
        var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, 300), received);
        await sink.WriteAsync(Envelope.AsMemory(0, 100));
        await sink.WriteAsync(Envelope.AsMemory(100));
        sink.Finish();

        Assert.Equal(Data, received.ToArray());
        Assert.False(sink.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => sink.Write([1]));
    }
}
