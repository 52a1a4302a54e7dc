using System.Text.Json;
using Vfio.Errors;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// What one device runs: its model and canonical configuration, optionally its UUID and mdev type. It is what a
/// source hands to <c>check</c>, <c>find</c> and <c>start --like</c>, and what <c>describe --json</c> writes.
/// Schema: <c>docs/schemas/device.schema.json</c>.
/// </summary>
/// <remarks>
/// Only <see cref="Model"/> and <see cref="Configuration"/> decide a check or a creation. The other fields describe
/// the device as its host saw it (parent, every parameter's value, migration protocol and features, the stop-copy
/// estimate); they are checked for shape when read, and <see cref="Parameters"/> must agree with the configuration.
/// </remarks>
/// <remarks><code>{"model": "vendor-a.com/my-nic", "configuration": "rss=on,rx-filter-size=64", "uuid": "...", "type": "my-nic-2"}</code></remarks>
/// <param name="Model">The device's model id.</param>
/// <param name="Configuration">The canonical configuration text (parameters differing from off; may be empty).</param>
/// <param name="Uuid">The device's UUID, if known.</param>
/// <param name="Type">The device's mdev type, if known.</param>
public sealed record DeviceDocument(DeviceModelId Model, string Configuration, string? Uuid = null, string? Type = null)
{
    private const string Kind = "device document";

    /// <summary>The parent device the device was created on, if known.</summary>
    public string? Parent { get; init; }

    /// <summary>Every parameter of the model with its value (the full expanded configuration), if known.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The migration protocol, <c>v1</c> or <c>v2</c>, when the device was opened to read it; else null.</summary>
    public string? Protocol { get; init; }

    /// <summary>The v2 migration features (<c>STOP_COPY</c>, <c>P2P</c>, <c>PRE_COPY</c>) when known; empty for v1; else null.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The device's estimate of its stop-copy data in bytes (MIG_DATA_SIZE, v1 pending_bytes), when it could be read.</summary>
    public ulong? StopCopyBytes { get; init; }

    /// <summary>Why <see cref="StopCopyBytes"/> is missing, when the writer tried or chose not to read it; else null.</summary>
    public string? StopCopyUnknown { get; init; }

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
            // The fault keeps its own code (E2001 model id, E2004 syntax, E2006 duplicate), so a document refuses what a
            // typed configuration would refuse in the same words; the field is named before the fault.
            throw DocumentReader.InField(Kind, e.Code == ErrorCode.ModelIdInvalid ? "model" : "configuration", e);
        }
        if (dto.Parameters is { } parameters)
        {
            foreach (KeyValuePair<string, string> named in ForeignConfiguration.Parse(model, config, dto.Uuid).Values)
            {
                if (!parameters.TryGetValue(named.Key, out string? value) || !string.Equals(value, named.Value, StringComparison.Ordinal))
                {
                    throw DocumentReader.Wrong(Kind, $"parameters.{named.Key}", value, $"{named.Value} (the value the configuration gives it)");
                }
            }
        }
        if (dto.Protocol is not (null or "v1" or "v2"))
        {
            throw DocumentReader.Wrong(Kind, "protocol", dto.Protocol, "v1 or v2");
        }
        return new DeviceDocument(model, config, dto.Uuid, dto.Type)
        {
            Parent = dto.Parent,
            Parameters = dto.Parameters,
            Protocol = dto.Protocol,
            Features = dto.Features,
            StopCopyBytes = dto.StopCopyBytes,
            StopCopyUnknown = dto.StopCopyUnknown,
        };
    }

    /// <summary>The configuration as plain strings, for a compatibility check against another host's description.</summary>
    /// <returns>The foreign form; parameters not named are at their off value.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ConfigurationMalformed"/> when the text is not canonical.</exception>
    public ForeignConfiguration ToForeign()
    {
        ForeignConfiguration stated = ForeignConfiguration.Parse(Model, Configuration, Uuid);
        if (Parameters is null)
        {
            return stated;
        }
        // The expanded configuration decides compatibility: a parameter the canonical text leaves out is at the SOURCE's
        // off value, which a destination's description may not share (mtty's ports: off 2 on mtty-2, 1 on mtty-1, so
        // both canonical texts are empty). Every parameter is stated with its value, and those the canonical text left
        // out are marked as at their off value, so a destination that lacks one still sees that its feature is off.
        var off = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> kv in Parameters)
        {
            if (!stated.Values.ContainsKey(kv.Key))
            {
                off[kv.Key] = kv.Value;
            }
        }
        return new ForeignConfiguration(Model, new SortedDictionary<string, string>(Parameters.ToDictionary(), StringComparer.Ordinal).AsReadOnly(), off, Uuid);
    }

    /// <summary>Writes the document as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(
        new DeviceDto
        {
            Model = Model.ToString(),
            Configuration = Configuration,
            Uuid = Uuid,
            Type = Type,
            Parent = Parent,
            Parameters = Parameters is null ? null : new SortedDictionary<string, string>(Parameters.ToDictionary(), StringComparer.Ordinal),
            Protocol = Protocol,
            Features = Features?.ToList(),
            StopCopyBytes = StopCopyBytes,
            StopCopyUnknown = StopCopyUnknown,
        },
        DocumentJsonContext.Default.DeviceDto);
}
