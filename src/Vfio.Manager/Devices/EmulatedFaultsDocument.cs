using System.Text.Json.Serialization;

namespace Vfio.Manager.Devices;

/// <summary>The <c>faults.json</c> of an emulated device: arcs as <c>"Running -> Stop"</c>, counts in bytes.</summary>
internal sealed class EmulatedFaultsDocument
{
    [JsonPropertyName("refuse_arc")]
    public string? RefuseArc { get; set; }

    [JsonPropertyName("error_on_arc")]
    public string? ErrorOnArc { get; set; }

    [JsonPropertyName("cut_stream_after_bytes")]
    public long? CutStreamAfterBytes { get; set; }

    [JsonPropertyName("corrupt_saved_byte_at")]
    public long? CorruptSavedByteAt { get; set; }

    [JsonPropertyName("crash_after_bytes")]
    public long? CrashAfterBytes { get; set; }

    [JsonPropertyName("driver_bugs")]
    public string[]? DriverBugs { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EmulatedFaultsDocument))]
internal sealed partial class EmulatedFaultsJsonContext : JsonSerializerContext
{
}
