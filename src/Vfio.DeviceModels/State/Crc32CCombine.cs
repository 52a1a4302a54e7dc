namespace Vfio.DeviceModels.State;

/// <summary>
/// The CRC-32C of <c>A || B</c> from the CRC-32C of <c>A</c>, that of <c>B</c> and the length of <c>B</c>, so a piece
/// whose parts were checksummed separately (a device's bulk arrays, when it hands them over) needs no second pass
/// (zlib's <c>crc32_combine</c>, with the Castagnoli polynomial).
/// </summary>
internal static class Crc32CCombine
{
    // The reflected polynomial 0x1EDC6F41, as Streams.Crc32C.
    private const uint Polynomial = 0x82F6_3B78u;

    // x^(2^n) modulo the polynomial, n = 0..66 (a length's bit b is n = b + 3): multiplying a CRC by x^(8 * length)
    // appends that many zero bytes. Not zlib's 32 entries read modulo 32: that relies on x^(2^32) = x, which holds for
    // zlib's polynomial but not for this one (0x1EDC6F41 = (x + 1) times an irreducible of degree 31, so here
    // x^(2^31) = x), and it gave wrong CRCs for parts of 512 MiB and more.
    private static readonly uint[] s_x2n = PowersOfTwo();

    // x^-(2^n) modulo the polynomial, n = 0..66: multiplying by x^-(8 * length) takes that many zero bytes off again.
    // x is invertible because the polynomial's constant term is 1: x * ((P(x) + 1) / x) = P(x) + 1 = 1 (mod P).
    private static readonly uint[] s_inverse2n = InversePowersOfTwo();

    /// <summary>The CRC-32C of the concatenation.</summary>
    /// <param name="first">The CRC-32C of the first part.</param>
    /// <param name="second">The CRC-32C of the second part.</param>
    /// <param name="secondLength">The second part's length in bytes.</param>
    /// <returns>The CRC-32C of both parts in order.</returns>
    /// <remarks>zlib 1.2.12's method: about 20 polynomial products for a 1 MiB part, where squaring 32x32 bit matrices
    /// per bit of the length (zlib's older method) took tens of microseconds per call.</remarks>
    public static uint Combine(uint first, uint second, long secondLength) =>
        secondLength <= 0 ? first : Multiply(ZeroBytesOperator(secondLength), first) ^ second;

    /// <summary>
    /// The CRC-32C of <c>B</c> from that of <c>A || B</c> and that of <c>A</c>: what <see cref="Combine"/> joined,
    /// split off at the front. With running CRCs recorded at points of one pass, any range between two points costs
    /// no second pass.
    /// </summary>
    /// <param name="whole">The CRC-32C of <c>A || B</c>.</param>
    /// <param name="first">The CRC-32C of <c>A</c>.</param>
    /// <param name="secondLength">The length of <c>B</c> in bytes.</param>
    /// <returns>The CRC-32C of <c>B</c>.</returns>
    public static uint Second(uint whole, uint first, long secondLength) =>
        secondLength <= 0 ? 0u : whole ^ Multiply(ZeroBytesOperator(secondLength), first);

    /// <summary>
    /// The CRC-32C of <c>A</c> from that of <c>A || B</c> and that of <c>B</c>: what <see cref="Combine"/> joined,
    /// split off at the back.
    /// </summary>
    /// <param name="whole">The CRC-32C of <c>A || B</c>.</param>
    /// <param name="second">The CRC-32C of <c>B</c>.</param>
    /// <param name="secondLength">The length of <c>B</c> in bytes.</param>
    /// <returns>The CRC-32C of <c>A</c>.</returns>
    public static uint First(uint whole, uint second, long secondLength) =>
        secondLength <= 0 ? whole : Multiply(InverseZeroBytesOperator(secondLength), whole ^ second);

    // x^-(8 * length) modulo the polynomial: the operator that removes `length` trailing zero bytes.
    private static uint InverseZeroBytesOperator(long length) => PowerOf(s_inverse2n, length);

    // x^(8 * length) modulo the polynomial: the operator that appends `length` zero bytes.
    private static uint ZeroBytesOperator(long length) => PowerOf(s_x2n, length);

    // The product of table[b + 3] over the set bits b of length: y^(8 * length) for a table of y^(2^n).
    private static uint PowerOf(uint[] table, long length)
    {
        uint product = 1u << 31; // x^0
        for (int k = 3; length != 0; length >>= 1, k++)
        {
            if ((length & 1) != 0)
            {
                product = Multiply(table[k], product);
            }
        }
        return product;
    }

    // a * b modulo the polynomial, both reflected (bit 31 is x^0).
    private static uint Multiply(uint a, uint b)
    {
        uint product = 0;
        for (uint m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                {
                    break;
                }
            }
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
    }

    private static uint[] InversePowersOfTwo()
    {
        // (P(x) + 1) / x: the polynomial 0x1EDC6F41 without its constant term, shifted down, plus x^31; reflected.
        uint p = 1u; // x^31 in the reflected order
        for (int i = 1; i < 32; i++)
        {
            if ((0x1EDC_6F41u & (1u << i)) != 0)
            {
                p |= 1u << (31 - (i - 1));
            }
        }
        uint[] table = new uint[67];
        for (int n = 0; n < table.Length; n++)
        {
            table[n] = p;
            p = Multiply(p, p);
        }
        return table;
    }

    private static uint[] PowersOfTwo()
    {
        uint[] table = new uint[67];
        uint p = 1u << 30; // x^1
        for (int n = 0; n < table.Length; n++)
        {
            table[n] = p;
            p = Multiply(p, p);
        }
        return table;
    }
}
