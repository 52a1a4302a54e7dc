using System.Text;
using System.Text.Json;
using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;

namespace Vfio.Manager.Definitions;

/// <summary>
/// Reads and writes mdevctl's definition JSON (src/mdev.rs load_from_json/to_json) with the reader and writer
/// APIs, which need no reflection. Reading is strict where mdevctl is loose about nothing that matters:
/// <c>mdev_type</c> and <c>start</c> are required strings, <c>attrs</c> (optional) is an array of objects with
/// exactly one string-valued field.
/// </summary>
internal static class DefinitionJson
{
    internal static string Write(MdevDefinition definition)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("mdev_type", definition.Type.Value);
            writer.WriteString("start", definition.AutoStart ? "auto" : "manual");
            writer.WriteStartArray("attrs");
            foreach (KeyValuePair<string, string> attribute in definition.Attributes)
            {
                writer.WriteStartObject();
                writer.WriteString(attribute.Key, attribute.Value);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionInvalid"/> naming the file.</exception>
    internal static MdevDefinition Read(string file, MdevUuid uuid, ParentDeviceName parent, string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(file, "the top level is not an object");
            }
            string type = RequireString(file, root, "mdev_type");
            if (!MdevTypeName.TryParse(type, out MdevTypeName typeName))
            {
                throw Invalid(file, $"\"mdev_type\" {NameRules.Quote(type)} is not a valid type name");
            }
            string start = RequireString(file, root, "start");
            if (start is not ("auto" or "manual"))
            {
                throw Invalid(file, $"\"start\" is {NameRules.Quote(start)}; expected \"auto\" or \"manual\"");
            }
            return new MdevDefinition(uuid, parent, typeName, start == "auto", ReadAttributes(file, root));
        }
        catch (JsonException e)
        {
            throw Invalid(file, $"it is not valid JSON ({e.Message})", e);
        }
    }

    private static List<KeyValuePair<string, string>> ReadAttributes(string file, JsonElement root)
    {
        var attributes = new List<KeyValuePair<string, string>>();
        if (!root.TryGetProperty("attrs", out JsonElement attrs) || attrs.ValueKind == JsonValueKind.Null)
        {
            return attributes;
        }
        if (attrs.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(file, "\"attrs\" is not an array");
        }
        int index = 0;
        foreach (JsonElement item in attrs.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(file, $"attrs[{index}] is not an object");
            }
            JsonProperty[] fields = item.EnumerateObject().ToArray();
            if (fields.Length != 1)
            {
                throw Invalid(file, $"attrs[{index}] has {fields.Length} fields; expected exactly one {{\"<attribute>\": \"<value>\"}}");
            }
            if (fields[0].Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(file, $"attrs[{index}] \"{fields[0].Name}\" is not a string");
            }
            DefinitionAttributes.RequireSafePath(file, index, fields[0].Name);
            attributes.Add(new(fields[0].Name, fields[0].Value.GetString()!));
            index++;
        }
        return attributes;
    }

    private static string RequireString(string file, JsonElement root, string field) =>
        root.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid(file, $"\"{field}\" is missing or not a string");

    internal static VfioException Invalid(string file, string problem, Exception? inner = null) =>
        ManagerErrors.DefinitionInvalid(file, problem, inner);

}
