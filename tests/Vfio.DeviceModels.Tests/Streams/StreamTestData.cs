using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.Streams;

internal static class StreamTestData
{
    public static MigrationStreamHeader Header { get; } = new("vendor-a.com/my-nic", "rx-filter-size=32", "src-0");

    public static byte[] Random(int length, int seed = 1)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Envelope of <paramref name="data"/> written with <paramref name="chunkSize"/>.</summary>
    public static byte[] Envelope(byte[] data, int chunkSize, MigrationStreamHeader? header = null)
    {
        using var output = new MemoryStream();
        MigrationStreamWriter.CopyFrom(new MemoryStream(data), output, header ?? Header, chunkSize: chunkSize);
        return output.ToArray();
    }

    /// <summary>Reads an envelope fully, accepting any header; returns the data.</summary>
    public static byte[] ReadAll(byte[] envelope, int maxChunkSize = 1 << 20)
    {
        using var reader = new MigrationStreamReader(new MemoryStream(envelope), _ => { }, maxChunkSize);
        using var destination = new MemoryStream();
        reader.CopyTo(destination);
        return destination.ToArray();
    }

    /// <summary>Runs a read and returns the stream exception it raised (failing the test on success or on another type).</summary>
    public static MigrationStreamException Refusal(byte[] envelope, int maxChunkSize = 1 << 20)
    {
        Exception? e = Record.Exception(() => ReadAll(envelope, maxChunkSize));
        Assert.NotNull(e);
        return Assert.IsType<MigrationStreamException>(e);
    }
}
