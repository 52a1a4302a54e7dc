using System.Text.Json;
using Vfio.Errors;

namespace Vfio.DeviceModels.Documents;

/// <summary>
/// What one host can take, without attempting a migration: every parent, its types, each type's migration
/// information and free instances. Schema: <c>docs/schemas/host-capabilities.schema.json</c>.
/// </summary>
/// <remarks>
/// <code>
/// {"host": "host-a", "parents": {"0000:00:03.0": {"types": {"my-nic-2": {
///     "available_instances": 3, "migration_info": {"models": {...}}}}}}}
/// </code>
/// </remarks>
/// <param name="Host">The host name.</param>
/// <param name="Parents">The parents, in document order.</param>
public sealed record HostCapabilities(string Host, IReadOnlyList<ParentCapabilities> Parents)
{
    private const string Kind = "host capabilities document";

    /// <summary>Reads a host capabilities document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.DocumentInvalid"/> naming the path of a missing or invalid field.</exception>
    public static HostCapabilities Parse(string json)
    {
        HostDto dto = DocumentReader.Deserialize(json, DocumentJsonContext.Default.HostDto, Kind);
        string host = DocumentReader.Require(dto.Host, Kind, "host", "the host name");
        Dictionary<string, ParentDto?> parents = DocumentReader.Require(dto.Parents, Kind, "parents", "an object of parent devices");
        var result = new List<ParentCapabilities>(parents.Count);
        foreach ((string parentName, ParentDto? parent) in parents)
        {
            string pp = $"parents.{parentName}";
            ParentDto p = DocumentReader.Require(parent, Kind, pp, "a parent object");
            Dictionary<string, TypeDto?> types = DocumentReader.Require(p.Types, Kind, pp + ".types", "an object of mdev types");
            var list = new List<TypeCapabilities>(types.Count);
            foreach ((string typeName, TypeDto? type) in types)
            {
                string tp = $"{pp}.types.{typeName}";
                TypeDto t = DocumentReader.Require(type, Kind, tp, "a type object");
                int available = t.AvailableInstances ?? throw DocumentReader.Missing(Kind, tp + ".available_instances", "a count of free instances");
                if (available < 0)
                {
                    throw DocumentReader.Wrong(Kind, tp + ".available_instances", available.ToString(System.Globalization.CultureInfo.InvariantCulture), "a count of free instances (0 or more)");
                }
                MigrationInfoDto mi = DocumentReader.Require(t.MigrationInfo, Kind, tp + ".migration_info", "the type's migration information");
                list.Add(new TypeCapabilities(typeName, MigrationInfo.FromDto(mi, Kind, tp + ".migration_info.models"), available));
            }
            result.Add(new ParentCapabilities(parentName, list));
        }
        return new HostCapabilities(host, result);
    }

    /// <summary>Writes the document as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(
        new HostDto
        {
            Host = Host,
            Parents = Parents.ToDictionary(
                p => p.Name,
                p => (ParentDto?)new ParentDto
                {
                    Types = p.Types.ToDictionary(
                        t => t.Name,
                        t => (TypeDto?)new TypeDto { AvailableInstances = t.AvailableInstances, MigrationInfo = t.MigrationInfo.ToDto() },
                        StringComparer.Ordinal),
                },
                StringComparer.Ordinal),
        },
        DocumentJsonContext.Default.HostDto);
}
