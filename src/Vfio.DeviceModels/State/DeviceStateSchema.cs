using System.Text.Json;
using System.Text.Json.Serialization;
using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// The shape of a device's saved state: every field's path, type, presence and since-version, as recorded by
/// running the device's save code (<see cref="DeviceState.ExportSchema"/>, <c>MigratableDevice.ExportSchema</c>).
/// </summary>
/// <remarks>Exported as JSON for documentation and for diffing two implementations of a model
/// (<see cref="DeviceStateSchemaDiff"/>). Serialisation uses source generation and is AOT-safe.</remarks>
/// <param name="ModelId">The model whose state this is.</param>
/// <param name="Fields">The fields, in the order the save code writes them.</param>
public sealed record DeviceStateSchema(
    [property: JsonPropertyName("model")] string ModelId,
    [property: JsonPropertyName("fields")] IReadOnlyList<StateFieldSchema> Fields)
{
    /// <summary>The schema as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, DeviceStateSchemaJsonContext.Default.DeviceStateSchema);

    /// <summary>Parses a schema exported by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DocumentInvalid"/> when the text is not a schema.</exception>
    public static DeviceStateSchema FromJson(string json)
    {
        try
        {
            DeviceStateSchema? schema = JsonSerializer.Deserialize(json, DeviceStateSchemaJsonContext.Default.DeviceStateSchema);
            if (schema?.ModelId is null || schema.Fields is null || schema.Fields.Any(f => f?.Path is null))
            {
                throw StateErrors.SchemaIncomplete();
            }
            // A path names one field: a schema listing it twice cannot be compared (or loaded) field by field.
            var paths = new HashSet<string>(StringComparer.Ordinal);
            if (schema.Fields.FirstOrDefault(f => !paths.Add(f.Path)) is { } duplicate)
            {
                throw StateErrors.SchemaDuplicateField(duplicate.Path);
            }
            return schema;
        }
        catch (JsonException e)
        {
            throw StateErrors.SchemaMalformed(e);
        }
    }
}

/// <summary>Source-generated JSON metadata for <see cref="DeviceStateSchema"/>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceStateSchema))]
internal sealed partial class DeviceStateSchemaJsonContext : JsonSerializerContext
{
}
