using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// What the readers that take a document's written shape without the serializer's metadata share
/// (<see cref="MigrationInfoDtoReader"/>, and the manager's moved-away record reader): the entry, which transcodes and
/// declines as the serializer would, and the small value readers.
/// </summary>
internal static class JsonShapeReader
{
    /// <summary>Reads one value at the reader's current token, leaving the reader on the value's last token.</summary>
    internal delegate bool ValueReader<T>(ref Utf8JsonReader reader, out T value);

    /// <summary>
    /// Reads <paramref name="text"/> whole: <paramref name="readDocument"/> gets the reader on the first token and must
    /// read one value, after which only white space may follow. Declines (false) what <paramref name="readDocument"/>
    /// declines, invalid UTF-16 (the serializer's own transcoding refuses a lone surrogate), and text that is not JSON
    /// or holds a string the reader cannot return (an escaped lone surrogate): the caller then reads the text with the
    /// serializer, which reports its error with its path, line and position.
    /// </summary>
    /// <param name="text">The document's text.</param>
    /// <param name="readDocument">Reads the document's value.</param>
    /// <param name="value">The value, when read.</param>
    /// <returns>False when the serializer must read the text.</returns>
    public static bool TryRead<T>(string text, ValueReader<T?> readDocument, [NotNullWhen(true)] out T? value)
        where T : class
    {
        value = null;
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(text)];
        if (Utf8.FromUtf16(text, utf8, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done || written != utf8.Length)
        {
            return false;
        }
        var reader = new Utf8JsonReader(utf8);
        try
        {
            // Nothing but white space after the value: the reader throws on anything else there.
            if (!reader.Read() || !readDocument(ref reader, out T? read) || read is null || reader.Read())
            {
                return false;
            }
            value = read;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Reads the next token as a string or null; false for any other token.</summary>
    public static bool ReadStringOrNull(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }
        if (reader.TokenType == JsonTokenType.String)
        {
            value = reader.GetString();
            return true;
        }
        return reader.TokenType == JsonTokenType.Null;
    }
}
