using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Vfio.Manager.Migration;

/// <summary>
/// Reads a <see cref="MovedAwayRecord"/> as the source-generated serializer would, without building the serializer's
/// metadata: every <c>vfioctl list</c> that finds a device moved away reads one, and in a native vfioctl the first
/// <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo"/> costs more than the rest of the read (the options,
/// a converter per property, and a reflection look-up of polymorphism attributes for every type;
/// docs/benchmarks.md, "CLI start-up").
/// </summary>
/// <remarks>
/// Only the shape the journal writes is taken: one object with <c>kind</c>, <c>operation</c>, <c>when</c> and <c>pid</c>
/// once each, <c>destination</c> and <c>destination_root</c> at most once each (a string or null), nothing else. For
/// anything else (a missing, unknown or repeated property, another token, text that is not JSON) it declines, and the
/// caller reads the text with the serializer, which gives the same record or the same exception as before; the
/// tests compare both on written records and on thousands of mutated ones.
/// </remarks>
internal static class MovedAwayRecordReader
{
    /// <summary>Reads <paramref name="text"/> when it is a record of the shape the journal writes.</summary>
    /// <param name="text">The record file's text.</param>
    /// <param name="record">The record, when read.</param>
    /// <returns>False when the serializer must read it.</returns>
    public static bool TryRead(string text, [NotNullWhen(true)] out MovedAwayRecord? record)
    {
        record = null;
        // The serializer's own transcoding refuses invalid UTF-16 (a lone surrogate); so does this, and leaves it the error.
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(text)];
        if (Utf8.FromUtf16(text, utf8, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done || written != utf8.Length)
        {
            return false;
        }
        try
        {
            return TryRead(new Utf8JsonReader(utf8), out record);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string the reader cannot return (an escaped lone surrogate): declined; the serializer reads
            // the same text and reports its error, with its line and position.
            return false;
        }
    }

    private static bool TryRead(Utf8JsonReader reader, [NotNullWhen(true)] out MovedAwayRecord? record)
    {
        record = null;
        string? kind = null, operation = null, destination = null, destinationRoot = null;
        DateTimeOffset when = default;
        int pid = 0;
        bool hasWhen = false, hasPid = false, hasDestination = false, hasDestinationRoot = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("kind"u8))
            {
                if (kind is not null || !ReadString(ref reader, out kind))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("operation"u8))
            {
                if (operation is not null || !ReadString(ref reader, out operation))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("destination"u8))
            {
                if (hasDestination || !ReadStringOrNull(ref reader, out destination))
                {
                    return false;
                }
                hasDestination = true;
            }
            else if (reader.ValueTextEquals("destination_root"u8))
            {
                if (hasDestinationRoot || !ReadStringOrNull(ref reader, out destinationRoot))
                {
                    return false;
                }
                hasDestinationRoot = true;
            }
            else if (reader.ValueTextEquals("when"u8))
            {
                if (hasWhen || !reader.Read() || reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out when))
                {
                    return false;
                }
                hasWhen = true;
            }
            else if (reader.ValueTextEquals("pid"u8))
            {
                if (hasPid || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out pid))
                {
                    return false;
                }
                hasPid = true;
            }
            else
            {
                return false;
            }
        }
        // The object's end, then nothing but white space (the reader throws on anything else after the value).
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || kind is null || operation is null || !hasWhen || !hasPid)
        {
            return false;
        }
        record = new MovedAwayRecord
        {
            Kind = kind,
            Operation = operation,
            Destination = destination,
            DestinationRoot = destinationRoot,
            When = when,
            ProcessId = pid,
        };
        return true;
    }

    private static bool ReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return value is not null;
    }

    private static bool ReadStringOrNull(ref Utf8JsonReader reader, out string? value)
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
