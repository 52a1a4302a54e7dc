using System.Text;
using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.Streams;

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

    // A bit-at-a-time CRC-32C straight from the definition: independent of the table and lane code under test.
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    public static TheoryData<int> LengthsAroundBlockBoundaries => new()
    {
        // Serial path only, then the short blocks (3 x 256), then the long blocks (3 x 8192) with every kind of rest.
        1, 7, 8, 12, 767, 768, 769, 1535, 1536, 24575, 24576, 24577, 24576 + 768 + 13, 3 * 24576 - 1, 100_003, 1 << 20,
    };

    [Theory]
    [MemberData(nameof(LengthsAroundBlockBoundaries))]
    public void Compute_EqualsTheBitwiseDefinition(int length)
    {
        byte[] data = StreamTestData.Random(length, seed: length);
        Assert.Equal(Reference(data), Crc32C.Compute(data));
    }

    [Theory]
    [MemberData(nameof(LengthsAroundBlockBoundaries))]
    public void Compute_OfAMisalignedSlice_EqualsTheBitwiseDefinition(int length)
    {
        byte[] data = StreamTestData.Random(length + 3, seed: length);
        Assert.Equal(Reference(data.AsSpan(3)), Crc32C.Compute(data.AsSpan(3)));
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(256)]
    public void Shift_EqualsAppendingThatManyZeroBytes(int zeroBytes)
    {
        byte[] zeros = new byte[zeroBytes];
        foreach (uint state in new uint[] { 0xFFFF_FFFFu, 1u, 0x8000_0000u, 0xDEAD_BEEFu, 0x1234_5678u })
        {
            uint expected = state;
            // Feed the zeros one byte at a time so the lane code is not used to check itself.
            foreach (byte z in zeros)
            {
                expected = System.Numerics.BitOperations.Crc32C(expected, z);
            }
            Assert.Equal(expected, Crc32C.Shift(state, zeroBytes));
        }
    }
}
