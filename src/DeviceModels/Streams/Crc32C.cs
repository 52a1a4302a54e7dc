using System.Buffers.Binary;
using System.Numerics;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// CRC-32C (Castagnoli, iSCSI polynomial 0x1EDC6F41, reflected), the checksum of every stream record.
/// </summary>
/// <remarks>
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> is one hardware step without the standard pre- and
/// post-inversion and has no span overload, so this walks the data 8, then 4, then 1 byte at a time.
/// The result is the standard CRC-32C: "123456789" gives 0xE3069283.
/// </remarks>
internal static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFF_FFFFu, data);

    /// <summary>Continues a running (pre-inverted, not yet finalised) CRC over more data.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
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

    /// <summary>Turns a running CRC started at 0xFFFFFFFF into the final value.</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The initial value of a running CRC.</summary>
    public const uint Seed = 0xFFFF_FFFFu;
}
