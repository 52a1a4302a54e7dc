using System.Text.Json;
using Vfio.Errors;

namespace Vfio.Ctl.Output;

/// <summary>One catalogued problem as JSON, the same shape wherever a verb reports one (check, start --like, errors).</summary>
internal static class ProblemJson
{
    public static void Write(Utf8JsonWriter json, ErrorCode code, string message, string? parameter = null, string? value = null, string? expected = null)
    {
        json.WriteStartObject();
        json.WriteString("code", ErrorCatalogue.Id(code));
        json.WriteString("name", ErrorCatalogue.Name(code));
        json.WriteString("message", message);
        WriteIfSet(json, "parameter", parameter);
        WriteIfSet(json, "value", value);
        WriteIfSet(json, "expected", expected);
        json.WriteBoolean("canBeForced", ErrorCatalogue.CanBeForced(code));
        json.WriteString("doc", ErrorCatalogue.DocLink(code));
        json.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
