using Vfio.DeviceModels.Streams;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.Streams;

public sealed class MigrationStreamRoundTripTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(64 * 3 + 5)]
    public void CopyFromThenCopyTo_ReturnsTheSameBytes(int length)
    {
        byte[] data = StreamTestData.Random(length, seed: length);
        byte[] envelope = StreamTestData.Envelope(data, chunkSize: 64);

        Assert.Equal(data, StreamTestData.ReadAll(envelope, maxChunkSize: 64));
    }

    [Fact]
    public void Envelope_HasOneChunkPerChunkSizeOfData()
    {
        byte[] data = StreamTestData.Random(64 * 3 + 5);
        byte[] envelope = StreamTestData.Envelope(data, chunkSize: 64);
        byte[] headerOnly = StreamTestData.Envelope([], chunkSize: 64);

        // 4 chunks, each a 12-byte record header plus its data, on top of an empty stream.
        Assert.Equal(headerOnly.Length + data.Length + 4 * 12, envelope.Length);
    }

    [Fact]
    public void Reader_ReturnsTheHeaderAsWritten()
    {
        var header = new MigrationStreamHeader("vendor-a.com/my-nic", "rss=on,rx-filter-size=64", "0000:00:03.0/5b8f");
        byte[] envelope = StreamTestData.Envelope([1, 2, 3], 64, header);
        MigrationStreamHeader? seen = null;
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), h => seen = h);

        Assert.Equal(header, reader.ReadHeader());
        Assert.Equal(header, seen);
    }

    [Fact]
    public void AsStream_ReadsInSmallPieces()
    {
        byte[] data = StreamTestData.Random(1000);
        byte[] envelope = StreamTestData.Envelope(data, chunkSize: 100);
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), _ => { }, 100);
        using Stream s = reader.AsStream();
        var collected = new List<byte>();
        byte[] piece = new byte[7];
        int n;
        while ((n = s.Read(piece, 0, piece.Length)) > 0)
        {
            collected.AddRange(piece.AsSpan(0, n).ToArray());
        }

        Assert.Equal(data, collected.ToArray());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public async Task AsyncWriterAndReader_RoundTrip()
    {
        byte[] data = StreamTestData.Random(10_000);
        using var envelope = new MemoryStream();
        long written = await MigrationStreamWriter.CopyFromAsync(new MemoryStream(data), envelope, StreamTestData.Header, chunkSize: 512);
        envelope.Position = 0;
        using var reader = new MigrationStreamReader(envelope, _ => { }, 512);
        using var destination = new MemoryStream();

        long read = await reader.CopyToAsync(destination);

        Assert.Equal(data.Length, written);
        Assert.Equal(data.Length, read);
        Assert.Equal(data, destination.ToArray());
        Assert.Equal(StreamTestData.Envelope(data, 512), envelope.ToArray());
    }

    [Fact]
    public void WriterWrite_SplitsLargeWritesIntoChunks()
    {
        byte[] data = StreamTestData.Random(300);
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, StreamTestData.Header, chunkSize: 128);
        writer.Write(data.AsSpan(0, 10));
        writer.Write(data.AsSpan(10));
        writer.Complete();

        Assert.Equal(4u, writer.ChunkCount); // 10, then 128 + 128 + 34
        Assert.Equal(data, StreamTestData.ReadAll(output.ToArray(), 128));
        Assert.Throws<InvalidOperationException>(() => writer.Write([1]));
    }

    [Fact]
    public void Progress_ReportsEveryChunkAndEndsAtTheTotal()
    {
        byte[] data = StreamTestData.Random(1000);
        var sourceReports = new List<long>();
        var destinationReports = new List<long>();
        using var envelope = new MemoryStream();
        MigrationStreamWriter.CopyFrom(new MemoryStream(data), envelope, StreamTestData.Header, new SyncProgress(sourceReports), chunkSize: 300);
        envelope.Position = 0;
        using var reader = new MigrationStreamReader(envelope, _ => { }, 300);
        reader.CopyTo(Stream.Null, new SyncProgress(destinationReports));

        Assert.Equal(new long[] { 300, 600, 900, 1000 }, sourceReports);
        Assert.Equal(sourceReports, destinationReports);
    }

    [Fact]
    public void CopyFrom_Cancelled_LeavesAStreamEveryReaderRefuses()
    {
        using var cts = new CancellationTokenSource();
        using var envelope = new MemoryStream();
        var progress = new SyncProgress([], onReport: _ => cts.Cancel());

        Assert.Throws<OperationCanceledException>(() =>
            MigrationStreamWriter.CopyFrom(new MemoryStream(StreamTestData.Random(1000)), envelope, StreamTestData.Header, progress, 100, cts.Token));
        Assert.Equal(ErrorCode.StreamTruncated, StreamTestData.Refusal(envelope.ToArray()).Code);
    }

    [Fact]
    public void CopyTo_Cancelled_Throws()
    {
        byte[] envelope = StreamTestData.Envelope(StreamTestData.Random(1000), 100);
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), _ => { }, 100);

        Assert.Throws<OperationCanceledException>(() => reader.CopyTo(Stream.Null, cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public void CopyTo_MemoryIsBoundedByTheChunkSize()
    {
        const int size = 32 << 20;
        byte[] envelope = StreamTestData.Envelope(new byte[size], chunkSize: 1 << 20);
        var input = new MemoryStream(envelope);
        using var reader = new MigrationStreamReader(input, _ => { });

        long before = GC.GetAllocatedBytesForCurrentThread();
        long copied = reader.CopyTo(Stream.Null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(size, copied);
        // One pooled 1 MiB chunk buffer at most (the pool may hand out a fresh one), never the 32 MiB state.
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes to copy {size}");
    }

    [Theory]
    [InlineData(16)]   // records smaller than the caller's buffer: read straight into it
    [InlineData(64)]   // records larger than the caller's buffer: through the reader's pooled buffer
    public void Read_AllocatesNothingPerRecord(int callerBuffer)
    {
        const int records = 4096;
        byte[] data = StreamTestData.Random(records * 32);
        byte[] envelope = StreamTestData.Envelope(data, chunkSize: 32);
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), _ => { }, maxChunkSize: 32);
        byte[] buffer = new byte[callerBuffer];
        using var received = new MemoryStream(data.Length);
        reader.ReadHeader();
        received.Write(buffer, 0, reader.Read(buffer)); // rents the pooled buffer, if this path uses one

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            received.Write(buffer, 0, n);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(data, received.ToArray());
        // The reader used to format a message for every record (about 150 bytes each) in case the payload was
        // cut short; now it formats one only when that happens.
        Assert.True(allocated < records, $"allocated {allocated} bytes over {records} records");
    }

    [Fact]
    public void HeaderStrings_BeyondTheirLimits_AreRefused()
    {
        var e = Assert.Throws<MigrationStreamException>(() => new MigrationStreamHeader(new string('a', 256), "", "d"));
        Assert.Equal(ErrorCode.StreamLengthOversized, e.Code);
        Assert.Equal("ModelId", e.Parameter);
        Assert.Equal(ErrorCode.StreamLengthOversized, Assert.Throws<MigrationStreamException>(() => new MigrationStreamHeader("", "", "d")).Code);
    }

    internal sealed class SyncProgress(List<long> reports, Action<long>? onReport = null) : IProgress<long>
    {
        public void Report(long value)
        {
            reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
