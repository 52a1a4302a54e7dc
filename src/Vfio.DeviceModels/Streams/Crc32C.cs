using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// CRC-32C (Castagnoli, iSCSI polynomial 0x1EDC6F41, reflected), the checksum of every stream record.
/// </summary>
/// <remarks>
/// <para><see cref="BitOperations.Crc32C(uint, ulong)"/> is one hardware step (x86 <c>crc32q</c>, Arm
/// <c>crc32cx</c>) without the standard pre- and post-inversion, and has no span overload. One step takes three
/// cycles but a core can start one every cycle, so a single chain of steps uses a third of the unit. Long spans are
/// therefore cut into blocks of three equal lanes whose CRCs run as three independent chains, then are combined:
/// CRC is linear, so the CRC of <c>A || B</c> from state <c>s</c> is the state after <c>|B|</c> zero bytes from
/// <c>CRC(s, A)</c>, XOR the CRC of <c>B</c> from state 0. Applying "this many zero bytes" to a 32-bit state is a
/// fixed linear map, looked up a byte at a time in four 256-entry tables per lane length (Mark Adler's
/// crc32c.c, "crc32c_shift").</para>
/// <para>The result is the standard CRC-32C: "123456789" gives 0xE3069283.</para>
/// </remarks>
internal static class Crc32C
{
    /// <summary>The initial value of a running CRC.</summary>
    public const uint Seed = 0xFFFF_FFFFu;

    // Lane lengths in bytes (multiples of 8). A long block is 3 x 8 KiB, so a 1 MiB chunk is 42 long blocks, then
    // short blocks of 3 x 256 bytes, then single 8-byte steps for what is left (under 768 bytes).
    private const int LongLane = 8192;
    private const int ShortLane = 256;

    // The reflected polynomial 0x1EDC6F41.
    private const uint Polynomial = 0x82F6_3B78u;

    private static readonly uint[] s_longShift = ZerosTable(LongLane);
    private static readonly uint[] s_shortShift = ZerosTable(ShortLane);

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(Seed, data);

    /// <summary>Continues a running (pre-inverted, not yet finalised) CRC over more data.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return AppendSerial(crc, data);
        }
        while (data.Length >= 3 * LongLane)
        {
            crc = AppendThreeLanes(crc, data[..(3 * LongLane)], LongLane, s_longShift);
            data = data[(3 * LongLane)..];
        }
        while (data.Length >= 3 * ShortLane)
        {
            crc = AppendThreeLanes(crc, data[..(3 * ShortLane)], ShortLane, s_shortShift);
            data = data[(3 * ShortLane)..];
        }
        return AppendSerial(crc, data);
    }

    /// <summary>Turns a running CRC started at 0xFFFFFFFF into the final value.</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The running CRC after <paramref name="zeroBytes"/> zero bytes, by table (only the two lane lengths).</summary>
    internal static uint Shift(uint crc, int zeroBytes) => zeroBytes switch
    {
        LongLane => Shift(s_longShift, crc),
        ShortLane => Shift(s_shortShift, crc),
        _ => throw new ArgumentOutOfRangeException(nameof(zeroBytes), zeroBytes, $"only {LongLane} and {ShortLane} have tables"),
    };

    // One block of three lanes: three independent chains of 8-byte steps, then lane 0 is moved past lanes 1 and 2.
    // Little-endian only: the 8-byte words are read in the machine's order.
    private static uint AppendThreeLanes(uint crc, ReadOnlySpan<byte> block, int lane, uint[] shift)
    {
        ReadOnlySpan<ulong> a = MemoryMarshal.Cast<byte, ulong>(block[..lane]);
        ReadOnlySpan<ulong> b = MemoryMarshal.Cast<byte, ulong>(block.Slice(lane, lane));
        ReadOnlySpan<ulong> c = MemoryMarshal.Cast<byte, ulong>(block.Slice(2 * lane, lane));
        uint crc1 = 0;
        uint crc2 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, a[i]);
            crc1 = BitOperations.Crc32C(crc1, b[i]);
            crc2 = BitOperations.Crc32C(crc2, c[i]);
        }
        crc = Shift(shift, crc) ^ crc1;
        return Shift(shift, crc) ^ crc2;
    }

    // One chain: 8, then 4, then 1 byte at a time.
    private static uint AppendSerial(uint crc, ReadOnlySpan<byte> data)
    {
        int words = data.Length / 8;
        if (BitConverter.IsLittleEndian)
        {
            foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(data[..(words * 8)]))
            {
                crc = BitOperations.Crc32C(crc, word);
            }
        }
        else
        {
            for (int i = 0; i < words; i++)
            {
                crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]));
            }
        }
        data = data[(words * 8)..];
        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }

    private static uint Shift(uint[] table, uint crc) =>
        table[(byte)crc] ^ table[256 + (byte)(crc >> 8)] ^ table[512 + (byte)(crc >> 16)] ^ table[768 + (crc >> 24)];

    // The "append n zero bytes" map as four byte tables: entry k*256+v is the map applied to v << 8k. The map is
    // built as a 32x32 bit matrix over GF(2) (column i = the image of bit i), starting from one zero bit and
    // squared up to n bytes; n must be a power of two of at least 1 byte.
    private static uint[] ZerosTable(int zeroBytes)
    {
        var op = new uint[32];
        var square = new uint[32];
        // One zero bit: shift right, and fold the polynomial in when bit 0 falls out.
        op[0] = Polynomial;
        for (int n = 1; n < 32; n++)
        {
            op[n] = 1u << (n - 1);
        }
        for (long bits = 1; bits < zeroBytes * 8L; bits <<= 1)
        {
            for (int n = 0; n < 32; n++)
            {
                square[n] = Times(op, op[n]);
            }
            (op, square) = (square, op);
        }
        var table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
        {
            for (uint v = 0; v < 256; v++)
            {
                table[k * 256 + (int)v] = Times(op, v << (8 * k));
            }
        }
        return table;
    }

    private static uint Times(uint[] matrix, uint vector)
    {
        uint sum = 0;
        for (int i = 0; vector != 0; i++, vector >>= 1)
        {
            if ((vector & 1) != 0)
            {
                sum ^= matrix[i];
            }
        }
        return sum;
    }
}
