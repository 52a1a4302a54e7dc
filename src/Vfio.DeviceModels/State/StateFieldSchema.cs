using System.Text.Json.Serialization;

namespace Vfio.DeviceModels.State;

/// <summary>One field of a device-state schema.</summary>
/// <param name="Path">The field's path, sections joined by '/', e.g. <c>rx/ring-head</c>.</param>
/// <param name="Type">The field's type.</param>
/// <param name="Required">Whether a loader that does not know the field must fail.</param>
/// <param name="Since">The model version or parameter that introduced it, when the device said so.</param>
public sealed record StateFieldSchema(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("type")] StateFieldType Type,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("since")] string? Since);
