using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>Pins the byte layout documented in docs/stream-format.md, "Example": a change here is a format change.</summary>
public sealed class StreamFormatExampleTests
{
    // Copied from the hex dump in docs/stream-format.md.
    private const string DocumentedHex =
        "56 46 49 4f 4d 49 47 31 01 00 00 00 01 00 00 00 " +
        "2e 00 00 00 1b 34 1b b0 13 00 76 65 6e 64 6f 72 " +
        "2d 61 2e 63 6f 6d 2f 6d 79 2d 6e 69 63 11 00 72 " +
        "78 2d 66 69 6c 74 65 72 2d 73 69 7a 65 3d 33 32 " +
        "04 00 6e 69 63 30 02 00 00 00 04 00 00 00 8e 77 " +
        "dc f1 de ad be ef 02 00 00 00 01 00 00 00 52 d0 " +
        "16 a0 01 03 00 00 00 10 00 00 00 58 fe d2 24 05 " +
        "00 00 00 00 00 00 00 02 00 00 00 a2 d9 22 13 ";

    [Fact]
    public void Writer_ProducesTheDocumentedBytes()
    {
        using var output = new MemoryStream();
        var writer = new MigrationStreamWriter(output, new MigrationStreamHeader("vendor-a.com/my-nic", "rx-filter-size=32", "nic0"), chunkSize: 4);
        writer.Write([0xDE, 0xAD, 0xBE, 0xEF, 0x01]);
        writer.Complete();

        Assert.Equal(Convert.FromHexString(DocumentedHex.Replace(" ", "")), output.ToArray());
    }

    [Fact]
    public void Reader_ReadsTheDocumentedBytes()
    {
        byte[] stream = Convert.FromHexString(DocumentedHex.Replace(" ", ""));
        MigrationStreamHeader? header = null;
        using var reader = new MigrationStreamReader(new MemoryStream(stream), h => header = h, 4);
        using var data = new MemoryStream();
        reader.CopyTo(data);

        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 0x01 }, data.ToArray());
        Assert.Equal(new MigrationStreamHeader("vendor-a.com/my-nic", "rx-filter-size=32", "nic0"), header);
    }
}
