using System.Buffers.Binary;
using Vfio.DeviceModels.Streams;

namespace Vfio.DeviceModels.State;

/// <summary>Constants and small helpers of the device-state format (docs/device-state-format.md).</summary>
internal static class DeviceStateFormat
{
    /// <summary>The eight ASCII bytes <c>VFIODST1</c> read as a little-endian u64.</summary>
    public const ulong Magic = 0x3154_5344_4F49_4656;

    /// <summary>Major version; a loader refuses any other.</summary>
    public const ushort Major = 1;

    /// <summary>
    /// Minor version written; loaders accept any minor of their major. 1.1 adds the checksum frames: every byte after
    /// the preamble is covered by a CRC-32C the saving device computed (docs/device-state-format.md, "Checksum frames").
    /// </summary>
    public const ushort Minor = 1;

    /// <summary>The first minor version whose containers must be framed with checksums.</summary>
    public const ushort FramedMinor = 1;

    /// <summary>Magic (8) + major (2) + minor (2).</summary>
    public const int PreambleLength = 12;

    /// <summary>The tag byte that ends the top-level field list.</summary>
    public const byte EndTag = 0x00;

    /// <summary>Tag bit 7: the field is required.</summary>
    public const byte RequiredBit = 0x80;

    /// <summary>Tag bits 5-6: reserved, must be zero.</summary>
    public const byte ReservedBits = 0x60;

    /// <summary>Tag bits 0-4: the <see cref="StateFieldType"/>.</summary>
    public const byte TypeMask = 0x1F;

    /// <summary>Longest field name in bytes (its length is one byte).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Tag (1) + name length (1) + value length (4), around the name.</summary>
    public const int FieldOverhead = 6;

    /// <summary>Type code of a checksum frame: reserved in 1.0, so a 1.0 loader skips the (optional) frame field.</summary>
    public const byte FrameType = 10;

    /// <summary>The tag byte of a checksum frame: optional, type 10.</summary>
    public const byte FrameTag = FrameType;

    /// <summary>The name every checksum frame carries.</summary>
    public static ReadOnlySpan<byte> FrameName => "crc32c"u8;

    /// <summary>Covered length (u32), payload CRC-32C (u32), frame CRC-32C (u32).</summary>
    public const int FrameValueLength = 12;

    /// <summary>A whole checksum frame: tag, name length, name "crc32c", value length, value.</summary>
    public const int FrameLength = FieldOverhead + 6 + FrameValueLength;

    /// <summary>The bytes of a frame before its frame CRC: what that CRC covers, after the chain value.</summary>
    private const int FrameCheckedLength = FrameLength - 4;

    /// <summary>The chain value a container's first frame continues: the CRC-32C of the preamble.</summary>
    public static uint ChainStart(ReadOnlySpan<byte> preamble) => Crc32C.Compute(preamble[..PreambleLength]);

    /// <summary>
    /// Writes the checksum frame in front of a payload that is already in place: <paramref name="piece"/> holds
    /// <see cref="FrameLength"/> reserved bytes, then the payload (whole top-level fields, the last payload ending with
    /// the end marker).
    /// </summary>
    /// <param name="piece">The reserved frame bytes followed by the payload.</param>
    /// <param name="chain">The previous frame's CRC (or <see cref="ChainStart"/> for the first frame).</param>
    /// <returns>This frame's CRC, the chain value of the next frame.</returns>
    public static uint SealFrame(Span<byte> piece, uint chain)
    {
        ReadOnlySpan<byte> payload = piece[FrameLength..];
        return WriteFrame(piece, (uint)payload.Length, Crc32C.Compute(payload), chain);
    }

    /// <summary>Writes a checksum frame with the given covered length and payload CRC; returns the frame's CRC.</summary>
    /// <param name="frame">At least <see cref="FrameLength"/> bytes.</param>
    /// <param name="coveredLength">How many bytes after the frame it covers.</param>
    /// <param name="payloadCrc">Their CRC-32C.</param>
    /// <param name="chain">The previous frame's CRC (or <see cref="ChainStart"/> for the first frame).</param>
    /// <returns>This frame's CRC.</returns>
    public static uint WriteFrame(Span<byte> frame, uint coveredLength, uint payloadCrc, uint chain)
    {
        frame[0] = FrameTag;
        frame[1] = (byte)FrameName.Length;
        FrameName.CopyTo(frame[2..]);
        int at = 2 + FrameName.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(frame[at..], FrameValueLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[(at + 4)..], coveredLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[(at + 8)..], payloadCrc);
        uint frameCrc = FrameCrc(frame[..FrameCheckedLength], chain);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[FrameCheckedLength..], frameCrc);
        return frameCrc;
    }

    /// <summary>
    /// Checks a received frame. Its fixed bytes (tag, name, value length) must be exactly those of a frame, and its
    /// frame CRC must match; only then are its covered length and payload CRC trusted.
    /// </summary>
    /// <param name="frame">The <see cref="FrameLength"/> bytes of the frame.</param>
    /// <param name="chain">The chain value before it; becomes the frame's CRC.</param>
    /// <param name="coveredLength">The payload length the frame covers.</param>
    /// <param name="payloadCrc">The CRC-32C the payload must have.</param>
    /// <returns>Null when the frame is sound, otherwise what is wrong with it.</returns>
    public static string? OpenFrame(ReadOnlySpan<byte> frame, ref uint chain, out uint coveredLength, out uint payloadCrc)
    {
        coveredLength = payloadCrc = 0;
        int at = 2 + FrameName.Length;
        if (frame[0] != FrameTag || frame[1] != FrameName.Length || !frame.Slice(2, FrameName.Length).SequenceEqual(FrameName)
            || BinaryPrimitives.ReadUInt32LittleEndian(frame[at..]) != FrameValueLength)
        {
            return $"expected a checksum frame (0A 06 \"crc32c\" 0C 00 00 00), found {Convert.ToHexString(frame[..Math.Min(frame.Length, 12)])}";
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(frame[FrameCheckedLength..]);
        uint computed = FrameCrc(frame[..FrameCheckedLength], chain);
        if (stored != computed)
        {
            return $"checksum frame CRC-32C is 0x{stored:X8}, computed 0x{computed:X8}";
        }
        coveredLength = BinaryPrimitives.ReadUInt32LittleEndian(frame[(at + 4)..]);
        payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(frame[(at + 8)..]);
        chain = computed;
        return null;
    }

    // CRC-32C of the previous chain value (u32, little-endian) followed by the frame's bytes up to its frame CRC: a
    // frame cannot be dropped, repeated or moved, and the first one seals the preamble (minor version included).
    private static uint FrameCrc(ReadOnlySpan<byte> checkedBytes, uint chain)
    {
        Span<byte> previous = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(previous, chain);
        return Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, previous), checkedBytes));
    }

    /// <summary>The value length a fixed-size type must have, or -1 for variable-length types.</summary>
    public static int FixedLength(StateFieldType type) => type switch
    {
        StateFieldType.U8 or StateFieldType.Bool => 1,
        StateFieldType.U16 => 2,
        StateFieldType.U32 => 4,
        StateFieldType.U64 or StateFieldType.I64 => 8,
        _ => -1,
    };

    /// <summary>Whether the type code is one this implementation knows.</summary>
    public static bool IsKnown(StateFieldType type) => type is >= StateFieldType.U8 and <= StateFieldType.Section;

    /// <summary>Field names are 1-255 ASCII letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Writes the container preamble.</summary>
    public static void WritePreamble(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Major);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], Minor);
    }
}
