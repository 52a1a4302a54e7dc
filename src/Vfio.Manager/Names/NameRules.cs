using System.Text;
using Vfio.Errors;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Names;

/// <summary>
/// The rules every name that becomes a path segment must pass, in one place, so a parent, type, UUID or
/// attribute name from input can never address a file outside the sysfs root.
/// </summary>
internal static class NameRules
{
    /// <summary>NAME_MAX on Linux: no sysfs entry can be longer.</summary>
    internal const int MaxSegmentLength = 255;

    /// <summary>Why <paramref name="value"/> is not a safe single path segment, or null when it is.</summary>
    internal static string? SegmentProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "it is empty";
        }
        if (value == "." || value == "..")
        {
            return "'.' and '..' address other directories";
        }
        if (value.Length > MaxSegmentLength)
        {
            return $"it is longer than {MaxSegmentLength} characters";
        }
        foreach (char c in value)
        {
            if (c == '/')
            {
                return "it contains '/'";
            }
            if (c == '\0')
            {
                return "it contains a NUL character";
            }
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "it contains white space or a control character";
            }
        }
        return null;
    }

    /// <summary>True when every character is a letter, digit or one of <paramref name="extra"/> (ASCII only).</summary>
    internal static bool IsAsciiWord(string value, string extra)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !extra.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The error for a name that failed its rule: it names what kind of name, quotes the input and says why.</summary>
    internal static VfioException Invalid(string kind, string? input, string problem, string expected) =>
        ManagerErrors.NameInvalid(kind, input, problem, expected);


    /// <summary>Quotes input for a message so that control characters are visible (a newline prints as \n).</summary>
    internal static string Quote(string? input)
    {
        if (input is null)
        {
            return "(null)";
        }
        var sb = new StringBuilder(input.Length + 2).Append('\'');
        foreach (char c in input)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\'': sb.Append("\\'"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
