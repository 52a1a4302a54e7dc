using Vfio.DeviceModels;

namespace Vfio.Ctl.Output;

/// <summary>
/// How device state is shown to a person: a byte value longer than <see cref="MaxRawBytes"/> (a ring, a hash key, a
/// filter table) is printed as a prefix of its digest (<see cref="ContentDigest"/>, XXH128) and its length, never as its bytes, so <c>describe --state</c>
/// and the demo let an operator compare two devices without putting their state in a terminal, a log or a ticket.
/// </summary>
internal static class StateText
{
    /// <summary>Byte values up to this long (a MAC address, a flags word) are shown as they are.</summary>
    public const int MaxRawBytes = 8;

    /// <summary>Hex digits of the digest shown: 48 bits tell two values apart; of a value longer than 8 bytes they cannot carry the value.</summary>
    public const int DigestDigits = 12;

    /// <summary>The value as it may be shown: short or non-hexadecimal values as they are, long byte values digested.</summary>
    public static string Display(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // A counter is all decimal digits; a long byte value that happens to be so is one chance in millions.
        if (value.Length <= MaxRawBytes * 2 || value.Length % 2 != 0 || !IsHex(value) || value.All(char.IsAsciiDigit))
        {
            return value;
        }
        byte[] bytes = Convert.FromHexString(value);
        return $"xxh128:{ContentDigest.Hex(bytes)[..DigestDigits]} ({bytes.Length} B)";
    }

    private static bool IsHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
