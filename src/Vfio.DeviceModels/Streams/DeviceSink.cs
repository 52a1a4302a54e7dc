using Vfio.Devices;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Writes verified data into the destination device: with the record's checksum when the destination takes one
/// (<see cref="IChecksummedDataSink"/>, a device that checksums what it loads), else as plain bytes.
/// </summary>
internal static class DeviceSink
{
    /// <summary>Writes <paramref name="data"/>, with its verified CRC-32C when known and taken.</summary>
    public static void Write(Stream destination, ReadOnlySpan<byte> data, uint? crc32c)
    {
        if (crc32c.HasValue && destination is IChecksummedDataSink checksummed)
        {
            checksummed.Write(data, crc32c);
        }
        else
        {
            destination.Write(data);
        }
    }

    /// <summary>The asynchronous form of <see cref="Write"/>. A destination that takes checksums is in this process
    /// (the emulated host), so it is written synchronously.</summary>
    public static ValueTask WriteAsync(Stream destination, ReadOnlyMemory<byte> data, uint? crc32c, CancellationToken cancellationToken)
    {
        if (crc32c.HasValue && destination is IChecksummedDataSink checksummed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            checksummed.Write(data.Span, crc32c);
            return ValueTask.CompletedTask;
        }
        return destination.WriteAsync(data, cancellationToken);
    }
}
