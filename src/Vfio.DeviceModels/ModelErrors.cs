using System.Text.Json;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// Every <see cref="DeviceModelException"/> the model layer raises (catalogue range 2xxx, and the compatibility refusal
/// built from 3xxx problems), one factory per situation: each fact (device, parameter, value, expectation) is passed once
/// and lands both in the message and on its property. Sites throw what a factory returns; RepositoryTests keep it that way.
/// </summary>
internal static class ModelErrors
{
    // ---- model ids, versions, descriptions ----

    /// <summary>model-id-invalid: the text is not a canonical id; <paramref name="suggestion"/> is the canonical form when one can be derived.</summary>
    internal static DeviceModelException ModelIdInvalid(string text, string? reason, string? suggestion) =>
        new(ErrorCode.ModelIdInvalid,
            $"'{text}' is not a device model id: {reason}. Expected '<domain>/<path>' such as 'vendor-a.com/my-nic'{(suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?")}")
        {
            Value = text,
            Expected = suggestion ?? "<domain>/<path>",
        };

    /// <summary>model-description-invalid: a description breaks a rule; <paramref name="why"/> says which.</summary>
    internal static DeviceModelException DescriptionInvalid(DeviceModelId id, string why, string? parameter, string? value) =>
        new(ErrorCode.ModelDescriptionInvalid, $"description of model {id} is invalid: {why}")
        {
            Parameter = parameter,
            Value = value,
        };

    /// <summary>model-description-invalid: a version name that is not one.</summary>
    internal static DeviceModelException VersionNameInvalid(string name) =>
        new(ErrorCode.ModelDescriptionInvalid, $"version name '{name}' is invalid: expected a-z, 0-9, '.' and '-'")
        {
            Value = name,
            Expected = "a version name such as 2",
        };

    /// <summary>model-description-invalid: a version based on a name that is not a version name.</summary>
    internal static DeviceModelException BaseVersionNameInvalid(string name, string basedOn) =>
        new(ErrorCode.ModelDescriptionInvalid, $"version '{name}' is based on '{basedOn}', which is not a version name")
        {
            Value = basedOn,
            Expected = "a version name such as 1",
        };

    /// <summary>parameter-unknown: the model has no such parameter; <paramref name="value"/> is the value given for it, if any.</summary>
    internal static DeviceModelException ParameterUnknown(ModelDescription model, string name, string? device, string? value) =>
        new(ErrorCode.ParameterUnknown,
            $"{DevicePrefix(device)}model {model.Id} has no parameter '{name}'{(value is null ? string.Empty : $" (given '{name}={value}')")}; known: {(model.Parameters.Count == 0 ? "(none)" : string.Join(", ", model.Parameters.Select(p => p.Name)))}")
        {
            Device = device,
            Parameter = name,
            Value = value,
            Expected = string.Join(",", model.Parameters.Select(p => p.Name)),
        };

    /// <summary>version-unknown: the model declares no such version.</summary>
    internal static DeviceModelException VersionUnknown(ModelDescription model, string name, string? device) =>
        new(ErrorCode.VersionUnknown,
            $"{DevicePrefix(device)}model {model.Id} has no version '{name}'; declared: {(model.Versions.Count == 0 ? "(none)" : string.Join(", ", model.Versions.Select(v => v.Name)))}")
        {
            Device = device,
            Parameter = ValueSyntax.VersionKey,
            Value = name,
            Expected = string.Join(",", model.Versions.Select(v => v.Name)),
        };

    // ---- parameter specifications and values ----

    /// <summary>parameter-spec-invalid: a parameter name that breaks the naming rule.</summary>
    internal static DeviceModelException ParameterNameInvalid(string name) =>
        new(ErrorCode.ParameterSpecInvalid,
            $"parameter name '{name}' is invalid: expected lower-case a-z, 0-9 and '-', starting with a letter, and not the reserved '{ValueSyntax.VersionKey}'")
        {
            Parameter = name,
            Value = name,
            Expected = "[a-z][a-z0-9-]*",
        };

    /// <summary>parameter-spec-invalid: a specification of a parameter breaks a rule; <paramref name="why"/> says which.</summary>
    internal static DeviceModelException ParameterSpecInvalid(string name, string? value, string why, string expected) =>
        new(ErrorCode.ParameterSpecInvalid, $"parameter '{name}' is invalid: {why}")
        {
            Parameter = name,
            Value = value,
            Expected = expected,
        };

    /// <summary>parameter-spec-invalid: an allowed-values text that does not parse for the type.</summary>
    internal static DeviceModelException AllowedValuesInvalid(ParameterType type, string text, string why) =>
        new(ErrorCode.ParameterSpecInvalid, $"allowed values '{text}' for a {ValueSyntax.TypeName(type)} parameter are invalid: {why}")
        {
            Value = text,
            Expected = type == ParameterType.Int ? "ranges such as 0-255,512" : "a comma-separated list of tokens",
        };

    /// <summary>value-not-allowed: a value outside a parameter's allowed values.</summary>
    internal static DeviceModelException ValueNotAllowed(ParameterSpec spec, DeviceModelId model, string? value, string? device) =>
        new(ErrorCode.ValueNotAllowed,
            $"{DevicePrefix(device)}parameter '{spec.Name}'{(model.Domain is null ? string.Empty : $" of model {model}")} does not allow value '{value}'; allowed: {spec.AllowedValues.Text} ({ValueSyntax.TypeName(spec.Type)})")
        {
            Device = device,
            Parameter = spec.Name,
            Value = value,
            Expected = spec.AllowedValues.Text,
        };

    // ---- configurations ----

    /// <summary>configuration-malformed: a configuration text that is not name=value items.</summary>
    internal static DeviceModelException ConfigurationMalformed(DeviceModelId model, string? device, string text, string why) =>
        new(ErrorCode.ConfigurationMalformed,
            $"{DevicePrefix(device)}configuration '{text}' for model {model} is malformed: {why}; expected 'name=value' items joined by ',' without spaces, e.g. 'version=2,rx-filter-size=64'")
        {
            Device = device,
            Value = text,
            Expected = "name=value[,name=value...]",
        };

    /// <summary>configuration-malformed: a foreign (source) configuration whose item at <paramref name="position"/> is not canonical.</summary>
    internal static DeviceModelException ForeignItemMalformed(DeviceModelId model, string? device, string text, int position, string item) =>
        new(ErrorCode.ConfigurationMalformed,
            $"{DevicePrefix(device)}configuration '{text}' of model {model} is malformed at item {position} '{item}': expected canonical 'name=value' items joined by ',' (no version: only a description can expand it)")
        {
            Device = device,
            Value = text,
            Expected = "name=value[,name=value...]",
        };

    /// <summary>parameter-duplicate: a configuration names a parameter twice.</summary>
    internal static DeviceModelException ParameterDuplicate(DeviceModelId model, string text, string name, string value, string? device) =>
        new(ErrorCode.ParameterDuplicate,
            $"{DevicePrefix(device)}configuration '{text}' of model {model} names '{name}' more than once; name each parameter at most once")
        {
            Device = device,
            Parameter = name,
            Value = value,
            Expected = "each parameter at most once",
        };

    /// <summary>The refusal of an incompatible pair: the first problem's code and facts, <paramref name="message"/> listing every problem.</summary>
    internal static DeviceModelException Incompatible(CompatibilityProblem first, string message) =>
        new(first.Code, message)
        {
            Device = first.Device,
            Parameter = first.Parameter,
            Value = first.Value,
            Expected = first.Expected,
        };

    // ---- documents ----

    /// <summary>document-invalid: a document longer than the longest parsed.</summary>
    internal static DeviceModelException DocumentTooLong(string kind, int length, int max) =>
        new(ErrorCode.DocumentInvalid, $"{kind} is not valid: it is {length} characters long; expected at most {max}")
        {
            Expected = $"a document of at most {max} characters",
        };

    /// <summary>document-invalid: the JSON does not parse; the JSON path of the offending token is the parameter.</summary>
    internal static DeviceModelException DocumentNotJson(string kind, JsonException e) =>
        new(ErrorCode.DocumentInvalid, $"{kind} is not valid: {e.Message}", e)
        {
            Parameter = e.Path,
        };

    /// <summary>document-invalid: a required field is missing.</summary>
    internal static DeviceModelException FieldMissing(string kind, string path, string what) =>
        new(ErrorCode.DocumentInvalid, $"{kind} is missing required field '{path}' ({what})")
        {
            Parameter = path,
            Expected = what,
        };

    /// <summary>document-invalid: a field's value is not what it must be.</summary>
    internal static DeviceModelException FieldWrong(string kind, string path, string? value, string what, Exception? inner) =>
        new(ErrorCode.DocumentInvalid, $"{kind} has an invalid '{path}': '{value}' is not {what}{(inner is null ? string.Empty : ": " + inner.Message)}", inner)
        {
            Parameter = path,
            Value = value,
            Expected = what,
        };

    /// <summary>A fault of one field's value that has its own catalogue code: the code is kept, the field named.</summary>
    internal static DeviceModelException InField(string kind, string path, DeviceModelException fault) =>
        new(fault.Code, $"{kind}'s '{path}': {fault.Message}", fault)
        {
            Device = fault.Device,
            Parameter = path,
            Value = fault.Value,
            Expected = fault.Expected,
        };

    private static string DevicePrefix(string? device) => ModelDescription.DevicePrefix(device);
}
