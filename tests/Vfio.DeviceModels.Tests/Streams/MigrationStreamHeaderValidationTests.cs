using Vfio.Errors;
using Vfio.Tests.DeviceModels;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>The destination sees the header, and can refuse it, before one byte of device data reaches it.</summary>
public sealed class MigrationStreamHeaderValidationTests
{
    private static readonly DeviceConfiguration Source = DeviceConfiguration.Parse(TestNicModels.NicV3, "version=2,rx-filter-size=64", "src");

    [Fact]
    public void MismatchedConfiguration_WritesNothingToTheDestination()
    {
        byte[] envelope = StreamTestData.Envelope(StreamTestData.Random(5000), 1024, MigrationStreamHeader.For(Source, "src"));
        DeviceConfiguration destination = DeviceConfiguration.Parse(TestNicModels.NicV3, "version=2", "dst");
        var sink = new RecordingStream();
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), StreamHeaderValidator.ForDestination(destination, "dst"), 1024);

        var e = Assert.Throws<VfioException>(() => reader.CopyTo(sink));

        Assert.Equal(ErrorCode.StreamHeaderMismatch, e.Code);
        Assert.Equal("rx-filter-size", e.Parameter);
        Assert.Equal("64", e.Value);
        Assert.Equal("32", e.Expected);
        Assert.Equal("dst", e.Device);
        Assert.Equal(0, sink.Writes);
    }

    [Fact]
    public void MismatchedModel_WritesNothingToTheDestination()
    {
        byte[] envelope = StreamTestData.Envelope(StreamTestData.Random(100), 64, new MigrationStreamHeader("vendor-b.com/other", "", "src"));
        var sink = new RecordingStream();
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), StreamHeaderValidator.ForDestination(Source, "dst"), 64);

        var e = Assert.Throws<VfioException>(() => reader.CopyTo(sink));

        Assert.Equal(ErrorCode.StreamHeaderMismatch, e.Code);
        Assert.Contains("vendor-b.com/other", e.Message);
        Assert.Equal(0, sink.Writes);
    }

    [Fact]
    public void ConfigurationTheDestinationCannotParse_IsAMismatch()
    {
        // rss is unknown to the v2 implementation: it cannot run this configuration.
        DeviceConfiguration v3 = DeviceConfiguration.Parse(TestNicModels.NicV3, "rss=on", "src");
        byte[] envelope = StreamTestData.Envelope([1], 64, MigrationStreamHeader.For(v3, "src"));
        DeviceConfiguration v2 = DeviceConfiguration.Parse(TestNicModels.NicV2, "", "dst");
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), StreamHeaderValidator.ForDestination(v2, "dst"));

        var e = Assert.Throws<VfioException>(() => reader.ReadHeader());

        Assert.Equal(ErrorCode.StreamHeaderMismatch, e.Code);
        Assert.Equal("rss", e.Parameter);
    }

    [Fact]
    public void EqualConfigurationWrittenDifferently_IsAccepted()
    {
        // The source pinned version=2; the canonical text carries the expanded values, which the destination equals.
        DeviceConfiguration destination = DeviceConfiguration.Parse(TestNicModels.NicV3, "rx-filter-size=64", "dst");
        byte[] data = StreamTestData.Random(100);
        byte[] envelope = StreamTestData.Envelope(data, 64, MigrationStreamHeader.For(Source, "src"));
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), StreamHeaderValidator.ForDestination(destination, "dst"), 64);
        using var sink = new MemoryStream();

        reader.CopyTo(sink);

        Assert.Equal(data, sink.ToArray());
    }

    [Fact]
    public void Validator_RunsBeforeTheFirstDataByteIsReturned()
    {
        byte[] envelope = StreamTestData.Envelope(StreamTestData.Random(100), 64);
        long dataReturnedWhenValidated = -1;
        MigrationStreamReader? reader = null;
        reader = new MigrationStreamReader(new MemoryStream(envelope), _ => dataReturnedWhenValidated = reader!.DataLength, 64);
        using (reader)
        {
            byte[] one = new byte[1];
            Assert.Equal(1, reader.Read(one));
        }
        Assert.Equal(0, dataReturnedWhenValidated);
    }

    private sealed class RecordingStream : Stream
    {
        public int Writes { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Writes++;
        public override void Write(ReadOnlySpan<byte> buffer) => Writes++;
    }
}
