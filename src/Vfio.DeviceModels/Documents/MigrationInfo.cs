using System.Text;
using System.Text.Json;
using Vfio.Errors;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// The per-type migration information document (<c>migration_info.json</c> in a type directory, or a driver
/// manifest): every model the type's devices can run, with parameters and versions. Schema:
/// <c>docs/schemas/migration-info.schema.json</c>.
/// </summary>
/// <remarks>
/// <code>
/// {"models": {"vendor-a.com/my-nic": {
///     "params": {"rx-filter-size": {"type": "int", "allowed_values": "0-64", "off_value": "0", "init_value": "32",
///                                   "description": "...", "since": "2"}},
///     "versions": {"1": {}, "2": {"rx-filter-size": "32"}}, "latest": "2"}}}
/// </code>
/// Versions are written expanded (every assignment a version stands for, bases resolved). Unknown fields are
/// ignored so newer writers stay readable; a missing required field is refused naming its path.
/// </remarks>
public sealed class MigrationInfo
{
    private readonly Dictionary<DeviceModelId, ModelDescription> _byId;

    /// <summary>Builds the document from descriptions.</summary>
    /// <param name="models">The models; ids must be unique.</param>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.DocumentInvalid"/> when a model id appears twice.</exception>
    public MigrationInfo(IEnumerable<ModelDescription> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        ModelDescription[] sorted = models.OrderBy(m => m.Id.ToString(), StringComparer.Ordinal).ToArray();
        _byId = new Dictionary<DeviceModelId, ModelDescription>(sorted.Length);
        foreach (ModelDescription m in sorted)
        {
            if (!_byId.TryAdd(m.Id, m))
            {
                throw DocumentReader.Wrong(Kind, "models." + m.Id, m.Id.ToString(), "a model id listed once");
            }
        }
        Models = sorted;
    }

    private const string Kind = "migration info document";

    /// <summary>The largest document <see cref="Parse"/> takes, in characters (and the largest file a reader should
    /// read for it, in bytes): far above any real one, and bounding what parsing one can cost.</summary>
    public const int MaxDocumentLength = DocumentReader.MaxDocumentLength;

    /// <summary>The models, sorted by id (ordinal).</summary>
    public IReadOnlyList<ModelDescription> Models { get; }

    /// <summary>Looks up a model.</summary>
    /// <param name="id">The model id.</param>
    /// <returns>The description, or <see langword="null"/> when the document does not list the model.</returns>
    public ModelDescription? Find(DeviceModelId id) => _byId.GetValueOrDefault(id);

    /// <summary>Reads a migration info document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document.</returns>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.DocumentInvalid"/> naming the path of a missing or invalid field (e.g. <c>models.vendor-a.com/my-nic.params.rss.off_value</c>).
    /// </exception>
    public static MigrationInfo Parse(string json)
    {
        // A document of the usual shape is read without the serializer's metadata (MigrationInfoDtoReader: the same
        // result); any other goes through the serializer, for the same result or the same error.
        MigrationInfoDto dto = json is { Length: <= MaxDocumentLength } && MigrationInfoDtoReader.TryRead(json, out MigrationInfoDto? read)
            ? read
            : DocumentReader.Deserialize(json, DocumentJsonContext.Default.MigrationInfoDto, Kind);
        return FromDto(dto, Kind, "models");
    }

    /// <summary>Writes the document as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToDto(), DocumentJsonContext.Default.MigrationInfoDto);

    /// <summary>
    /// A content hash of one model's description (<see cref="ContentDigest"/> of its compact canonical JSON): equal for two
    /// descriptions that say the same thing, however they were written. The fleet index groups hosts by it.
    /// </summary>
    /// <param name="model">The description.</param>
    /// <returns>32 lower-case hex digits.</returns>
    public static string Fingerprint(ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string json = model.Id + "\n" + JsonSerializer.Serialize(DocumentReader.WriteModel(model, canonical: true), CompactJsonContext.Default.ModelDto);
        return ContentDigest.Hex(Encoding.UTF8.GetBytes(json));
    }

    internal MigrationInfoDto ToDto() => new()
    {
        Models = Models.ToDictionary(m => m.Id.ToString(), m => (ModelDto?)DocumentReader.WriteModel(m), StringComparer.Ordinal),
    };

    internal static MigrationInfo FromDto(MigrationInfoDto dto, string kind, string path)
    {
        Dictionary<string, ModelDto?> models = DocumentReader.Require(dto.Models, kind, path, "an object of models");
        return new MigrationInfo(models.Select(kv => DocumentReader.ReadModel(kind, $"{path}.{kv.Key}", kv.Key, kv.Value)));
    }
}
