using System.Buffers.Binary;

namespace Vfio.DeviceModels.State;

/// <summary>Constants and small helpers of the device-state format (docs/device-state-format.md).</summary>
internal static class DeviceStateFormat
{
    /// <summary>The eight ASCII bytes <c>VFIODST1</c> read as a little-endian u64.</summary>
    public const ulong Magic = 0x3154_5344_4F49_4656;

    /// <summary>Major version; a loader refuses any other.</summary>
    public const ushort Major = 1;

    /// <summary>Minor version written; loaders accept any minor of their major.</summary>
    public const ushort Minor = 0;

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
