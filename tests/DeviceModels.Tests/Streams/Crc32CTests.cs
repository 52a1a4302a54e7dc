using System.Text;
using Vfio.DeviceModels.Streams;

namespace DeviceModels.Tests.Streams;

public sealed class Crc32CTests
{
    [Theory]
    // Published CRC-32C check values (RFC 3720 appendix B.4 and the "123456789" catalogue check).
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0x00000000u)]
    public void Compute_MatchesPublishedCheckValues(string text, uint expected)
        => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Compute_32BytesOfZeros_MatchesRfc3720()
        => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void Compute_32BytesOfOnes_MatchesRfc3720()
        => Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));

    [Fact]
    public void Append_InPieces_EqualsOneShot()
    {
        byte[] data = StreamTestData.Random(1000);
        uint running = Crc32C.Seed;
        running = Crc32C.Append(running, data.AsSpan(0, 3));
        running = Crc32C.Append(running, data.AsSpan(3, 13));
        running = Crc32C.Append(running, data.AsSpan(16));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(running));
    }
}
