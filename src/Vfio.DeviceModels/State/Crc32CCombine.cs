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

    /// <summary>The CRC-32C of the concatenation.</summary>
    /// <param name="first">The CRC-32C of the first part.</param>
    /// <param name="second">The CRC-32C of the second part.</param>
    /// <param name="secondLength">The second part's length in bytes.</param>
    /// <returns>The CRC-32C of both parts in order.</returns>
    public static uint Combine(uint first, uint second, long secondLength)
    {
        if (secondLength <= 0)
        {
            return first;
        }
        // The operator for one zero bit, then squared to two, four, ... zero bits; applied per set bit of the length.
        Span<uint> even = stackalloc uint[32];
        Span<uint> odd = stackalloc uint[32];
        odd[0] = Polynomial;
        uint row = 1;
        for (int n = 1; n < 32; n++)
        {
            odd[n] = row;
            row <<= 1;
        }
        Square(even, odd); // two zero bits
        Square(odd, even); // four zero bits
        do
        {
            Square(even, odd);
            if ((secondLength & 1) != 0)
            {
                first = Times(even, first);
            }
            secondLength >>= 1;
            if (secondLength == 0)
            {
                break;
            }
            Square(odd, even);
            if ((secondLength & 1) != 0)
            {
                first = Times(odd, first);
            }
            secondLength >>= 1;
        }
        while (secondLength != 0);
        return first ^ second;
    }

    private static uint Times(ReadOnlySpan<uint> matrix, uint vector)
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

    private static void Square(Span<uint> square, ReadOnlySpan<uint> matrix)
    {
        for (int n = 0; n < 32; n++)
        {
            square[n] = Times(matrix, matrix[n]);
        }
    }
}
