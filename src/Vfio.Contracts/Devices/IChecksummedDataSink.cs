namespace Vfio.Devices;

/// <summary>
/// A destination of migration data (a RESUMING data session) that can take, with the bytes, the CRC-32C the caller
/// has already verified them against: the stream envelope's record checksum. A device that checksums what it loads
/// derives its checksums from it, so each side of a migration reads every byte through one checksum pass, not two.
/// </summary>
/// <remarks>
/// The checksum is a promise about the bytes: give one only when the bytes were checked against it (the envelope's
/// decoder does this before it hands a record on). Where the checksum is unknown, pass null, or use the sink as a
/// plain <see cref="Stream"/>; the device then checksums the bytes itself.
/// </remarks>
public interface IChecksummedDataSink
{
    /// <summary>Writes <paramref name="data"/>, whose CRC-32C (Castagnoli) is <paramref name="crc32c"/> when known.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="crc32c">Their verified CRC-32C, or null.</param>
    void Write(ReadOnlySpan<byte> data, uint? crc32c);
}
