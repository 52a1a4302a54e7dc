using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.State;

/// <summary>
/// <see cref="Crc32CCombine.First"/> and <see cref="Crc32CCombine.Second"/>: splitting a known CRC-32C, the
/// arithmetic that lets a checksum verified once (an envelope record's) stand for the parts it covers.
/// </summary>
public sealed class Crc32CSplitTests
{
    [Fact]
    public void Second_and_First_give_each_part_s_own_CRC_at_every_split()
    {
        byte[] data = new byte[9000];
        new Random(11).NextBytes(data);
        uint whole = Crc32C.Compute(data);
        foreach (int split in new[] { 0, 1, 2, 7, 8, 255, 256, 4096, 8999, 9000 })
        {
            uint first = Crc32C.Compute(data.AsSpan(0, split));
            uint second = Crc32C.Compute(data.AsSpan(split));
            Assert.Equal(second, Crc32CCombine.Second(whole, first, data.Length - split));
            Assert.Equal(first, Crc32CCombine.First(whole, second, data.Length - split));
        }
    }

    [Fact]
    public void First_undoes_Combine_for_second_parts_of_every_length_bit_up_to_2_GiB()
    {
        // The bytes of a long second part are not needed to test the operator: Combine is the reference, and First
        // must invert it for any length, including those whose bits reach past 2^32 bits of shift.
        var random = new Random(12);
        for (int bit = 0; bit < 34; bit++)
        {
            long length = (1L << bit) + random.Next(1 << Math.Min(bit, 20));
            uint a = (uint)random.NextInt64(), b = (uint)random.NextInt64();
            uint joined = Crc32CCombine.Combine(a, b, length);
            Assert.True(a == Crc32CCombine.First(joined, b, length), $"First, length {length} (bit {bit})");
            Assert.True(b == Crc32CCombine.Second(joined, a, length), $"Second, length {length} (bit {bit})");
        }
    }

    [Fact]
    public void Combine_is_right_for_second_parts_of_512_MiB_and_more()
    {
        // The CRC of 2^b zero bytes, built from two halves with Combine at lengths below 2^b; appending them to A at
        // once (one Combine with length 2^b) must equal appending the two halves in turn. It did not for 2^29 bytes
        // and more while the operator table was read modulo 32 (zlib's shortcut, wrong for this polynomial).
        byte[] a = new byte[1000];
        new Random(15).NextBytes(a);
        uint crcA = Crc32C.Compute(a);
        uint zeros = Crc32C.Compute(new byte[1 << 12]);
        for (int bit = 13; bit <= 40; bit++)
        {
            long half = 1L << (bit - 1);
            uint stepwise = Crc32CCombine.Combine(Crc32CCombine.Combine(crcA, zeros, half), zeros, half);
            zeros = Crc32CCombine.Combine(zeros, zeros, half);
            Assert.True(stepwise == Crc32CCombine.Combine(crcA, zeros, 2 * half), $"2^{bit} zero bytes");
        }
    }

    [Fact]
    public void A_range_between_two_running_CRCs_of_one_pass_is_that_range_s_CRC()
    {
        byte[] data = new byte[200_000];
        new Random(13).NextBytes(data);
        var random = new Random(14);
        for (int i = 0; i < 50; i++)
        {
            int a = random.Next(data.Length), b = random.Next(a, data.Length + 1);
            uint prefixA = Crc32C.Compute(data.AsSpan(0, a)), prefixB = Crc32C.Compute(data.AsSpan(0, b));
            Assert.Equal(Crc32C.Compute(data.AsSpan(a, b - a)), Crc32CCombine.Second(prefixB, prefixA, b - a));
        }
    }
}
