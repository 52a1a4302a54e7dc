using System.Buffers.Binary;
using System.Globalization;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Which channel of a multi-channel transfer a format 2 stream is (docs/stream-format.md "Channels"): its index, the
/// number of channels, and the transfer id every channel of one transfer shares.
/// </summary>
/// <param name="Index">0-based channel index; channel 0 is the main stream.</param>
/// <param name="Count">Number of channels, 2 to <see cref="StreamFormat.MaxChannels"/>.</param>
/// <param name="TransferId">Random id written into every channel of one transfer, so channels of two transfers are not mixed.</param>
public readonly record struct StreamChannelInfo(int Index, int Count, ulong TransferId)
{
    /// <summary>Writes the 12 channel fields.</summary>
    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)Index);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)Count);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], TransferId);
    }

    /// <summary>Reads and checks the 12 channel fields of a format 2 header record.</summary>
    internal static StreamChannelInfo Parse(ReadOnlySpan<byte> fields, long recordOffset)
    {
        int index = BinaryPrimitives.ReadUInt16LittleEndian(fields);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(fields[2..]);
        if (count < 2 || count > StreamFormat.MaxChannels || index >= count)
        {
            throw StreamErrors.ChannelFieldsInvalid(recordOffset, index, count);
        }
        return new StreamChannelInfo(index, count, BinaryPrimitives.ReadUInt64LittleEndian(fields[4..]));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"channel {Index} of {Count} (transfer {TransferId:x16})");
}
