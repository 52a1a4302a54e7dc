using System.Diagnostics.CodeAnalysis;

namespace Vfio.Manager.Names;

/// <summary>
/// The UUID that names a mediated device, in the canonical lower-case 8-4-4-4-12 form the kernel prints under
/// <c>/sys/bus/mdev/devices</c> and mdevctl uses as a definition's file name.
/// </summary>
/// <remarks>
/// Only the canonical form is accepted: braces, upper case or missing hyphens are refused rather than
/// normalised, so the text a user typed, the directory name in sysfs and the definition file name are always
/// the same string.
/// </remarks>
public readonly record struct MdevUuid
{
    private readonly Guid _value;

    private MdevUuid(Guid value) => _value = value;

    /// <summary>The UUID as a <see cref="Guid"/>.</summary>
    public Guid Value => _value;

    /// <summary>A new random UUID, as <c>mdevctl start</c> picks when none is given.</summary>
    /// <returns>A fresh version-4 UUID.</returns>
    public static MdevUuid NewUuid() => new(Guid.NewGuid());

    /// <summary>Wraps a <see cref="Guid"/>; every Guid has a canonical form, so this cannot fail.</summary>
    /// <param name="value">The Guid.</param>
    /// <returns>The UUID.</returns>
    public static MdevUuid FromGuid(Guid value) => new(value);

    /// <summary>Parses the canonical lower-case form, e.g. <c>83b8f4f2-509f-382f-3c1e-e6bfe0fa1001</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The UUID.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when the text is not canonical.</exception>
    public static MdevUuid Parse(string? text) =>
        TryParse(text, out MdevUuid uuid)
            ? uuid
            : throw NameRules.Invalid("mdev UUID", text, "it is not a canonical UUID",
                "36 lower-case hexadecimal characters in groups 8-4-4-4-12, e.g. 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

    /// <summary>Parses the canonical form without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="uuid">The UUID when the text is canonical.</param>
    /// <returns>True when <paramref name="text"/> is a canonical UUID.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out MdevUuid uuid)
    {
        uuid = default;
        if (text is null || text.Length != 36)
        {
            return false;
        }
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool hyphen = i is 8 or 13 or 18 or 23;
            if (hyphen ? c != '-' : !(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        uuid = new MdevUuid(Guid.ParseExact(text, "D"));
        return true;
    }

    /// <summary>
    /// Parses the 8-4-4-4-12 form in any letter case (RFC 4122: UUIDs compare case-insensitively), for names found on
    /// disk such as a definition file another tool wrote in upper case; the result prints in the canonical lower case.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="uuid">The UUID when the text is one, in any case.</param>
    /// <returns>True when <paramref name="text"/> is a UUID in 8-4-4-4-12 form.</returns>
    public static bool TryParseIgnoringCase([NotNullWhen(true)] string? text, out MdevUuid uuid) =>
        TryParse(text?.ToLowerInvariant(), out uuid);

    /// <summary>The canonical lower-case form.</summary>
    /// <returns>The 36-character UUID text.</returns>
    public override string ToString() => _value.ToString("D");
}
