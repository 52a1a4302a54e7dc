using System.Globalization;
using System.Text;

namespace Vfio.Ctl.Output;

/// <summary>
/// Makes text that may carry input (a name, a value read from a file, an attribute's content) safe to print on a
/// terminal: control characters (C0, DEL, C1, which start escape sequences that can recolour, retitle or rewrite
/// the screen) and the bidirectional overrides that reorder what a reader sees are written as visible escapes
/// (<c>\e</c>, <c>\r</c>, <c>\u202e</c>), so a hostile name cannot forge a line or hide one.
/// </summary>
internal static class TerminalText
{
    /// <summary>Escapes every control character, newlines included: for one log line.</summary>
    public static string Line(string text) => Escape(text, keepNewlines: false);

    /// <summary>
    /// Escapes every control character but newline, and indents each line after the first that does not start with
    /// white space, so an injected newline can only add a visibly indented continuation, never a line of its own.
    /// </summary>
    public static string Block(string text)
    {
        string escaped = Escape(text, keepNewlines: true);
        if (!escaped.Contains('\n', StringComparison.Ordinal))
        {
            return escaped;
        }
        string[] lines = escaped.Split('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0 && lines[i][0] != ' ')
            {
                lines[i] = "  " + lines[i];
            }
        }
        return string.Join('\n', lines);
    }

    private static string Escape(string text, bool keepNewlines)
    {
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first], keepNewlines))
        {
            first++;
        }
        if (first == text.Length)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c, keepNewlines))
            {
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\u001b': sb.Append("\\e"); break;
                default: sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c, bool keepNewlines) =>
        (c == '\n' && !keepNewlines) || (c != '\n' && char.IsControl(c)) || IsBidiControl(c);

    // LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI (U+2066-U+2069): "Trojan Source" reordering.
    private static bool IsBidiControl(char c) => c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069';
}
