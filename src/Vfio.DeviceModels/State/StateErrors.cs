using System.Text.Json;
using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Every <see cref="DeviceStateException"/> (and device-state schema <see cref="VfioException"/>) the device-state layer
/// raises, one factory per situation: each fact (device, field path, position) is passed once and lands both in the
/// message and on its property. Sites throw what a factory returns; ErrorFactoryTests keep it that way.
/// </summary>
internal static class StateErrors
{
    // ---- loading a device's saved state ----

    /// <summary>device-state-checksum-mismatch: a piece changed after the saving device checksummed it; <paramref name="what"/> says which.</summary>
    internal static DeviceStateException ChecksumMismatch(string device, string what) =>
        new(ErrorCode.DeviceStateChecksumMismatch, device, null,
            $"device {device}: saved state changed between the saving device and this one: {what}; that piece was not applied");

    /// <summary>
    /// device-state-malformed: the saved state cannot be parsed; <paramref name="section"/> is the section being read
    /// (empty at the top level), <paramref name="field"/> the path concerned, if any.
    /// </summary>
    internal static DeviceStateException Malformed(string device, string? field, string section, string what) =>
        new(ErrorCode.DeviceStateMalformed, device, field,
            $"device {device}: malformed saved state{(section.Length == 0 ? "" : $" in section '{section}'")}: {what}");

    /// <summary>device-state-field-unknown: a required field this implementation does not load.</summary>
    internal static DeviceStateException FieldUnknown(string device, string path, string typeName) =>
        new(ErrorCode.DeviceStateFieldUnknown, device, path,
            $"device {device}: saved state holds required field '{path}' ({typeName}) that this implementation does not load; " +
            "the source runs a newer or different device state, so loading it here would lose state");

    // ---- resealing a framed container (tool "reseal") ----

    /// <summary>The device name the reseal tool reports as.</summary>
    private const string ResealTool = "reseal";

    /// <summary>device-state-malformed: the bytes to reseal lack the VFIODST1 preamble.</summary>
    internal static DeviceStateException ResealNoPreamble() =>
        new(ErrorCode.DeviceStateMalformed, ResealTool, null, "not a device state: no VFIODST1 preamble");

    /// <summary>device-state-malformed: the bytes to reseal have no checksum frame at <paramref name="at"/> (a 1.0 container).</summary>
    internal static DeviceStateException ResealNoFrame(int at) =>
        new(ErrorCode.DeviceStateMalformed, ResealTool, null, $"no checksum frame at byte {at}: not a framed (1.1) container");

    /// <summary>device-state-malformed: the frame at <paramref name="at"/> covers more bytes than remain.</summary>
    internal static DeviceStateException ResealFramePastEnd(int at, uint covered) =>
        new(ErrorCode.DeviceStateMalformed, ResealTool, null, $"the checksum frame at byte {at} covers {covered} bytes, past the end");

    // ---- device-state schema JSON ----

    /// <summary>document-invalid: schema JSON without 'model', 'fields' or a field's 'path'.</summary>
    internal static VfioException SchemaIncomplete() =>
        new(ErrorCode.DocumentInvalid, "device-state schema JSON lacks 'model', 'fields' or a field's 'path'");

    /// <summary>document-invalid: schema JSON listing a field path twice.</summary>
    internal static VfioException SchemaDuplicateField(string path) =>
        new(ErrorCode.DocumentInvalid, $"device-state schema JSON lists field '{path}' more than once; expected each path once")
        {
            Parameter = path,
            Expected = "each field path once",
        };

    /// <summary>document-invalid: schema text that is not JSON of the schema's shape; the parser's error is the inner exception.</summary>
    internal static VfioException SchemaMalformed(JsonException e) =>
        new(ErrorCode.DocumentInvalid, $"device-state schema JSON is malformed: {e.Message}", e);
}
