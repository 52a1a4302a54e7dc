using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Vfio.DeviceModels.Documents;

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
    public static bool TryRead(string text, [NotNullWhen(true)] out MovedAwayRecord? record) =>
        JsonShapeReader.TryRead(text, ReadRecord, out record);

    private static bool ReadRecord(ref Utf8JsonReader reader, [NotNullWhen(true)] out MovedAwayRecord? record)
    {
        record = null;
        string? kind = null, operation = null, destination = null, destinationRoot = null;
        DateTimeOffset when = default;
        int pid = 0;
        bool hasWhen = false, hasPid = false, hasDestination = false, hasDestinationRoot = false;
        if (reader.TokenType != JsonTokenType.StartObject)
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
                if (hasDestination || !JsonShapeReader.ReadStringOrNull(ref reader, out destination))
                {
                    return false;
                }
                hasDestination = true;
            }
            else if (reader.ValueTextEquals("destination_root"u8))
            {
                if (hasDestinationRoot || !JsonShapeReader.ReadStringOrNull(ref reader, out destinationRoot))
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
        if (reader.TokenType != JsonTokenType.EndObject || kind is null || operation is null || !hasWhen || !hasPid)
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
}
