using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// Reads a migration info document's wire shape (<see cref="MigrationInfoDto"/>) as the source-generated serializer
/// (<see cref="DocumentJsonContext"/>) would, without building the serializer's metadata: <c>vfioctl list</c> and
/// <c>types</c> read one per type, and in a native vfioctl the first
/// <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo"/> costs more than the rest of the read (the options,
/// a converter per property, and a reflection look-up of polymorphism attributes for every type;
/// docs/benchmarks.md, "CLI start-up").
/// </summary>
/// <remarks>
/// Only the shape a writer produces is taken: known properties, each at most once, with a value of their type or null;
/// keys listed once; a version's assignments strings. For anything else (an unknown or repeated property or key,
/// another token, text that is not JSON) it declines, and <see cref="DocumentReader.Deserialize{T}"/> reads the text
/// with the serializer, which gives the same document or the same error (its path, line and position) as before; the
/// tests compare both on the repository's documents and on thousands of mutated ones.
/// </remarks>
internal static class MigrationInfoDtoReader
{
    /// <summary>Reads <paramref name="json"/> when it has the shape a writer produces.</summary>
    /// <param name="json">The document's text.</param>
    /// <param name="dto">The wire shape, when read.</param>
    /// <returns>False when the serializer must read it.</returns>
    public static bool TryRead(string json, [NotNullWhen(true)] out MigrationInfoDto? dto) =>
        JsonShapeReader.TryRead(json, ReadDocument, out dto);

    private static bool ReadDocument(ref Utf8JsonReader reader, [NotNullWhen(true)] out MigrationInfoDto? dto)
    {
        dto = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        Dictionary<string, ModelDto?>? models = null;
        bool hasModels = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("models"u8) || hasModels || !reader.Read() || !ReadMap(ref reader, ReadModel, out models))
            {
                return false;
            }
            hasModels = true;
        }
        dto = new MigrationInfoDto { Models = models };
        return true;
    }

    private static bool ReadModel(ref Utf8JsonReader reader, out ModelDto? model)
    {
        model = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        Dictionary<string, ParamDto?>? parameters = null;
        Dictionary<string, Dictionary<string, string>?>? versions = null;
        string? latest = null;
        bool hasParams = false, hasVersions = false, hasLatest = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("params"u8))
            {
                if (hasParams || !reader.Read() || !ReadMap(ref reader, ReadParameter, out parameters))
                {
                    return false;
                }
                hasParams = true;
            }
            else if (reader.ValueTextEquals("versions"u8))
            {
                if (hasVersions || !reader.Read() || !ReadMap(ref reader, ReadAssignments, out versions))
                {
                    return false;
                }
                hasVersions = true;
            }
            else if (reader.ValueTextEquals("latest"u8))
            {
                if (hasLatest || !JsonShapeReader.ReadStringOrNull(ref reader, out latest))
                {
                    return false;
                }
                hasLatest = true;
            }
            else
            {
                return false;
            }
        }
        model = new ModelDto { Params = parameters, Versions = versions, Latest = latest };
        return true;
    }

    private static bool ReadParameter(ref Utf8JsonReader reader, out ParamDto? parameter)
    {
        parameter = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        // type, allowed_values, off_value, init_value, description, since: each a string or null, at most once.
        ReadOnlySpan<byte> names = "type\0allowed_values\0off_value\0init_value\0description\0since"u8;
        var values = new string?[6];
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int index = IndexOf(ref reader, names);
            if (index < 0 || (seen & (1 << index)) != 0 || !JsonShapeReader.ReadStringOrNull(ref reader, out values[index]))
            {
                return false;
            }
            seen |= 1 << index;
        }
        parameter = new ParamDto
        {
            Type = values[0],
            AllowedValues = values[1],
            OffValue = values[2],
            InitValue = values[3],
            Description = values[4],
            Since = values[5],
        };
        return true;
    }

    private static bool ReadAssignments(ref Utf8JsonReader reader, out Dictionary<string, string>? assignments) =>
        ReadMap(ref reader, ReadAssignment, out assignments);

    private static bool ReadAssignment(ref Utf8JsonReader reader, out string value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";
        return reader.TokenType == JsonTokenType.String;
    }

    /// <summary>An object of keys listed once, each value read by <paramref name="readValue"/>; or null.</summary>
    private static bool ReadMap<T>(ref Utf8JsonReader reader, JsonShapeReader.ValueReader<T> readValue, out Dictionary<string, T>? map)
    {
        map = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var entries = new Dictionary<string, T>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (!reader.Read() || !readValue(ref reader, out T value) || !entries.TryAdd(key, value))
            {
                return false;
            }
        }
        map = entries;
        return true;
    }

    /// <summary>The position of the current property name in <paramref name="names"/> (separated by NUL), or -1.</summary>
    private static int IndexOf(ref Utf8JsonReader reader, ReadOnlySpan<byte> names)
    {
        for (int index = 0; !names.IsEmpty; index++)
        {
            int end = names.IndexOf((byte)0);
            ReadOnlySpan<byte> name = end < 0 ? names : names[..end];
            if (reader.ValueTextEquals(name))
            {
                return index;
            }
            names = end < 0 ? default : names[(end + 1)..];
        }
        return -1;
    }
}
