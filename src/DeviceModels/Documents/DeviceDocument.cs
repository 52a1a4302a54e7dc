using System.Text.Json;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// What one device runs: its model and canonical configuration, optionally its UUID and mdev type. It is what a
/// source hands to <c>check</c> and <c>find</c>. Schema: <c>docs/schemas/device.schema.json</c>.
/// </summary>
/// <remarks><code>{"model": "vendor-a.com/my-nic", "configuration": "rss=on,rx-filter-size=64", "uuid": "...", "type": "my-nic-2"}</code></remarks>
/// <param name="Model">The device's model id.</param>
/// <param name="Configuration">The canonical configuration text (parameters differing from off; may be empty).</param>
/// <param name="Uuid">The device's UUID, if known.</param>
/// <param name="Type">The device's mdev type, if known.</param>
public sealed record DeviceDocument(DeviceModelId Model, string Configuration, string? Uuid = null, string? Type = null)
{
    private const string Kind = "device document";

    /// <summary>The document of a configured device.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="uuid">The UUID, if known.</param>
    /// <param name="type">The mdev type, if known.</param>
    /// <returns>The document with the canonical configuration text.</returns>
    public static DeviceDocument From(DeviceConfiguration configuration, string? uuid = null, string? type = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new DeviceDocument(configuration.ModelId, configuration.ToString(), uuid, type);
    }

    /// <summary>Reads a device document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document; the configuration syntax is checked.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.DocumentInvalid"/> naming a missing or invalid field.</exception>
    public static DeviceDocument Parse(string json)
    {
        DeviceDto dto = DocumentReader.Deserialize(json, DocumentJsonContext.Default.DeviceDto, Kind);
        string modelText = DocumentReader.Require(dto.Model, Kind, "model", "a model id");
        string config = DocumentReader.Require(dto.Configuration, Kind, "configuration", "the canonical configuration text (may be empty)");
        DeviceModelId model;
        try
        {
            model = DeviceModelId.Parse(modelText);
            ForeignConfiguration.Parse(model, config, dto.Uuid);
        }
        catch (DeviceModelException e)
        {
            throw DocumentReader.Wrong(Kind, e.Code == ErrorCode.ModelIdInvalid ? "model" : "configuration", e.Code == ErrorCode.ModelIdInvalid ? modelText : config, e.Code == ErrorCode.ModelIdInvalid ? "a model id" : "canonical configuration text", e);
        }
        return new DeviceDocument(model, config, dto.Uuid, dto.Type);
    }

    /// <summary>The configuration as plain strings, for a compatibility check against another host's description.</summary>
    /// <returns>The foreign form; parameters not named are at their off value.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ConfigurationMalformed"/> when the text is not canonical.</exception>
    public ForeignConfiguration ToForeign() => ForeignConfiguration.Parse(Model, Configuration, Uuid);

    /// <summary>Writes the document as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(
        new DeviceDto { Model = Model.ToString(), Configuration = Configuration, Uuid = Uuid, Type = Type },
        DocumentJsonContext.Default.DeviceDto);
}
