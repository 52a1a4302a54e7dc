using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>The lexical rules for parameter names and values, shared by specs, configurations and documents.</summary>
internal static class ValueSyntax
{
    /// <summary>The configuration key that selects a version; no parameter may use it as its name.</summary>
    public const string VersionKey = "version";

    /// <summary>Names are lower-case a-z, 0-9 and '-', starting with a letter: safe as sysfs file names and list keys.</summary>
    public static bool IsParameterName([NotNullWhen(true)] string? name) =>
        !string.IsNullOrEmpty(name) && name[0] is >= 'a' and <= 'z' && name[^1] != '-' &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>Version names: a-z, 0-9, '.', '-' (e.g. <c>1</c>, <c>2</c>, <c>2024.1</c>).</summary>
    public static bool IsVersionName([NotNullWhen(true)] string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.');

    /// <summary>A token usable as a value inside a comma-separated list: non-empty, no ',', '=' or white space.</summary>
    public static bool IsToken([NotNullWhen(true)] string? value) =>
        !string.IsNullOrEmpty(value) && !value.Any(c => c is ',' or '=' || char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>
    /// Splits one item of configuration text (the text between commas) into its name and value: one '=', a non-empty
    /// name and value, no white space or control characters. The one item syntax of both configuration parsers
    /// (<see cref="DeviceConfiguration"/> against a description, <see cref="ForeignConfiguration"/> without one).
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="name">The text before the '=' (the whole item when there is none).</param>
    /// <param name="value">The text after the '=' (empty when there is none).</param>
    /// <returns><see langword="null"/> when the item is well formed, otherwise what is wrong with it.</returns>
    public static string? SplitItem(string item, out string name, out string value)
    {
        int eq = item.IndexOf('=', StringComparison.Ordinal);
        name = eq < 0 ? item : item[..eq];
        value = eq < 0 ? string.Empty : item[(eq + 1)..];
        if (item.Length == 0)
        {
            return "an empty item (two commas, or a leading or trailing comma)";
        }
        if (item.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"white space or a control character in '{item}'";
        }
        if (eq < 0)
        {
            return $"'{item}' has no '='";
        }
        if (name.Length == 0 || value.Length == 0)
        {
            return $"'{item}' has an empty name or value";
        }
        if (value.Contains('=', StringComparison.Ordinal))
        {
            return $"'{item}' has more than one '='";
        }
        return null;
    }

    /// <summary>The refusal of a configuration that names a parameter (or <c>version</c>) twice.</summary>
    /// <param name="model">The model the configuration is for.</param>
    /// <param name="text">The configuration text.</param>
    /// <param name="name">The name given twice.</param>
    /// <param name="value">Its second value.</param>
    /// <param name="device">The device, for messages.</param>
    /// <returns>The exception, with <see cref="ErrorCode.ParameterDuplicate"/>.</returns>
    public static DeviceModelException DuplicateItem(DeviceModelId model, string text, string name, string value, string? device) =>
        ModelErrors.ParameterDuplicate(model, text, name, value, device);


    /// <summary>Reads a non-negative decimal integer (digits only; leading zeros allowed and dropped).</summary>
    public static bool TryParseInt(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The canonical text of an integer value.</summary>
    public static string FormatInt(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a value of a type into its canonical text (ints in plain decimal; bools only on/off; strings as given).
    /// Returns false with a description of what was expected when the text is not a value of that type.
    /// </summary>
    public static bool TryNormalize(ParameterType type, string? text, [NotNullWhen(true)] out string? canonical, out string expected)
    {
        canonical = null;
        switch (type)
        {
            case ParameterType.Bool:
                expected = "on or off";
                if (text is "on" or "off")
                {
                    canonical = text;
                }
                break;
            case ParameterType.Int:
                expected = "a non-negative decimal integer";
                if (TryParseInt(text, out long n))
                {
                    canonical = FormatInt(n);
                }
                break;
            default:
                expected = "a non-empty token without ',', '=' or white space";
                if (IsToken(text))
                {
                    canonical = text;
                }
                break;
        }
        return canonical is not null;
    }

    /// <summary>The lower-case name of a type as written in documents: bool, int, str.</summary>
    public static string TypeName(ParameterType type) => type switch
    {
        ParameterType.Bool => "bool",
        ParameterType.Int => "int",
        _ => "str",
    };

    /// <summary>Reads a type name as written in documents.</summary>
    public static bool TryParseType(string? text, out ParameterType type)
    {
        switch (text)
        {
            case "bool":
                type = ParameterType.Bool;
                return true;
            case "int":
                type = ParameterType.Int;
                return true;
            case "str":
                type = ParameterType.Str;
                return true;
            default:
                type = default;
                return false;
        }
    }
}
