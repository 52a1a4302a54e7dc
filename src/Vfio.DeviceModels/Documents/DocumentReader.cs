using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Vfio.DeviceModels.Documents;

/// <summary>Turns wire shapes into model objects, naming the path of whatever is missing or wrong.</summary>
internal static class DocumentReader
{
    /// <summary>The key in a version object that names the version it builds on.</summary>
    public const string BaseKey = "$base";

    /// <summary>The longest document text parsed: a real capability document is a few KiB, and a parsed document
    /// costs many times its size in memory (a 93 MiB migration_info.json took 5 GiB), so a longer one is refused unread.</summary>
    public const int MaxDocumentLength = 4 * 1024 * 1024;

    public static T Deserialize<T>(string json, JsonTypeInfo<T> info, string kind)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxDocumentLength)
        {
            throw ModelErrors.DocumentTooLong(kind, json.Length, MaxDocumentLength);
        }
        T? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException e)
        {
            // e.Path is the JSON path of the offending token, e.g. $.models['x'].params.
            throw ModelErrors.DocumentNotJson(kind, e);
        }
        return dto ?? throw Missing(kind, "$", "a JSON object");
    }

    public static DeviceModelException Missing(string kind, string path, string what) =>
        ModelErrors.FieldMissing(kind, path, what);

    public static DeviceModelException Wrong(string kind, string path, string? value, string what, Exception? inner = null) =>
        ModelErrors.FieldWrong(kind, path, value, what, inner);

    /// <summary>A fault of one field's value that has its own catalogue code: the code is kept, the field named.</summary>
    public static DeviceModelException InField(string kind, string path, DeviceModelException fault) =>
        ModelErrors.InField(kind, path, fault);


    public static T Require<T>(T? value, string kind, string path, string what)
        where T : class => value ?? throw Missing(kind, path, what);

    public static ModelDescription ReadModel(string kind, string path, string id, ModelDto? dto)
    {
        if (dto is null)
        {
            throw Missing(kind, path, "a model object");
        }
        DeviceModelId modelId;
        try
        {
            modelId = DeviceModelId.Parse(id);
        }
        catch (DeviceModelException e)
        {
            throw Wrong(kind, path, id, "a model id", e);
        }
        var specs = new List<ParameterSpec>();
        foreach ((string name, ParamDto? p) in dto.Params ?? [])
        {
            string pp = $"{path}.params.{name}";
            if (p is null)
            {
                throw Missing(kind, pp, "a parameter object");
            }
            string typeText = Require(p.Type, kind, pp + ".type", "bool, int or str");
            if (!ValueSyntax.TryParseType(typeText, out ParameterType type))
            {
                throw Wrong(kind, pp + ".type", typeText, "bool, int or str");
            }
            string? allowedText = type == ParameterType.Bool ? p.AllowedValues ?? "off,on" : Require(p.AllowedValues, kind, pp + ".allowed_values", "a list or ranges such as 0-64");
            string off = Require(p.OffValue, kind, pp + ".off_value", "the value that disables the feature");
            string init = Require(p.InitValue, kind, pp + ".init_value", "the value of a device created with nothing pinned");
            try
            {
                specs.Add(new ParameterSpec(name, type, AllowedValues.Parse(type, allowedText), off, init, p.Description ?? string.Empty, p.Since));
            }
            catch (DeviceModelException e)
            {
                throw Wrong(kind, pp, name, "a valid parameter", e);
            }
        }
        var versions = new List<ModelVersion>();
        foreach ((string name, Dictionary<string, string>? assignments) in dto.Versions ?? [])
        {
            if (assignments is null)
            {
                throw Missing(kind, $"{path}.versions.{name}", "an object of parameter assignments");
            }
            // "$base" (not a possible parameter name) lets a hand-written manifest build on another version.
            string? basedOn = assignments.GetValueOrDefault(BaseKey);
            try
            {
                versions.Add(new ModelVersion(name, assignments.Where(kv => kv.Key != BaseKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), basedOn));
            }
            catch (DeviceModelException e)
            {
                throw Wrong(kind, $"{path}.versions.{name}", name, "a valid version", e);
            }
        }
        if (versions.Count > 0 && dto.Latest is null)
        {
            throw Missing(kind, path + ".latest", "the newest version's name");
        }
        try
        {
            return new ModelDescription(modelId, specs, versions, dto.Latest);
        }
        catch (DeviceModelException e)
        {
            throw Wrong(kind, path, id, "a valid model description", e);
        }
    }

    /// <summary>The document form of a model; <paramref name="canonical"/> writes token sets sorted, for a fingerprint
    /// that does not depend on the order a vendor declared them in.</summary>
    public static ModelDto WriteModel(ModelDescription model, bool canonical = false) => new()
    {
        Params = model.Parameters.ToDictionary(
            p => p.Name,
            p => (ParamDto?)new ParamDto
            {
                Type = ValueSyntax.TypeName(p.Type),
                AllowedValues = canonical ? p.AllowedValues.CanonicalText : p.AllowedValues.Text,
                OffValue = p.OffValue,
                InitValue = p.InitValue,
                Description = p.Description,
                Since = p.Since,
            },
            StringComparer.Ordinal),
        // Versions are written expanded (base chains resolved), so a reader needs no chain logic.
        Versions = model.Versions.ToDictionary(
            v => v.Name,
            v => (Dictionary<string, string>?)model.ExpandVersion(v.Name).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            StringComparer.Ordinal),
        Latest = model.LatestVersion,
    };
}
