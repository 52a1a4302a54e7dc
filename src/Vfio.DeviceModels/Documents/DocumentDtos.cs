using System.Text.Json.Serialization;
using Vfio.Errors;

namespace Vfio.DeviceModels.Documents;

// Wire shapes of the capability documents (docs/schemas/*.json). Everything is nullable so that a missing
// field is reported by DocumentReader with its path and ErrorCode.DocumentInvalid, rather than by the
// serializer; unknown fields are ignored (System.Text.Json's default), so newer writers stay readable.
// Duplicate keys are refused: a parameter or model listed twice must not silently keep the last copy.

internal sealed class MigrationInfoDto
{
    [JsonPropertyName("models")]
    public Dictionary<string, ModelDto?>? Models { get; set; }
}

internal sealed class ModelDto
{
    [JsonPropertyName("params")]
    public Dictionary<string, ParamDto?>? Params { get; set; }

    [JsonPropertyName("versions")]
    public Dictionary<string, Dictionary<string, string>?>? Versions { get; set; }

    [JsonPropertyName("latest")]
    public string? Latest { get; set; }
}

internal sealed class ParamDto
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("allowed_values")]
    public string? AllowedValues { get; set; }

    [JsonPropertyName("off_value")]
    public string? OffValue { get; set; }

    [JsonPropertyName("init_value")]
    public string? InitValue { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("since")]
    public string? Since { get; set; }
}

internal sealed class HostDto
{
    [JsonPropertyName("host")]
    public string? Host { get; set; }

    [JsonPropertyName("parents")]
    public Dictionary<string, ParentDto?>? Parents { get; set; }
}

internal sealed class ParentDto
{
    [JsonPropertyName("types")]
    public Dictionary<string, TypeDto?>? Types { get; set; }
}

internal sealed class TypeDto
{
    [JsonPropertyName("available_instances")]
    public int? AvailableInstances { get; set; }

    [JsonPropertyName("migration_info")]
    public MigrationInfoDto? MigrationInfo { get; set; }
}

internal sealed class DeviceDto
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("configuration")]
    public string? Configuration { get; set; }

    [JsonPropertyName("uuid")]
    public string? Uuid { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("parent")]
    public string? Parent { get; set; }

    [JsonPropertyName("parameters")]
    public SortedDictionary<string, string>? Parameters { get; set; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    [JsonPropertyName("features")]
    public List<string>? Features { get; set; }

    [JsonPropertyName("stopCopyBytes")]
    public ulong? StopCopyBytes { get; set; }

    [JsonPropertyName("stopCopyUnknown")]
    public string? StopCopyUnknown { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(MigrationInfoDto))]
[JsonSerializable(typeof(HostDto))]
[JsonSerializable(typeof(DeviceDto))]
internal sealed partial class DocumentJsonContext : JsonSerializerContext;

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelDto))]
internal sealed partial class CompactJsonContext : JsonSerializerContext;
