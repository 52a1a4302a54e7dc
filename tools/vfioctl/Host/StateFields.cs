using Vfio.Ctl.Cli;
using System.Globalization;
using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Sdk;

namespace Vfio.Ctl.Host;

/// <summary>
/// A device's state field by field (<c>describe --state</c>, the demo's "state moved" check), decoded through the
/// self-describing device-state format (docs/device-state-format.md) with the schema the device's own save code
/// records: any SDK device, from any plug-in, without knowing its class.
/// </summary>
internal static class StateFields
{
    /// <summary>Opens the device, decodes its state, and closes it.</summary>
    /// <returns>Every leaf field by path (sections joined by '/'): integers in decimal, bools as true/false, strings as
    /// they are, bytes in hexadecimal; sorted by path.</returns>
    /// <exception cref="VfioException">E2010 when the device's code does not run in this process or is not an SDK device
    /// (a <see cref="MigratableDevice"/>, which saves in the format); the format's errors (E4008, E4009, E4012).</exception>
    public static IReadOnlyDictionary<string, string> Read(IDeviceOpener opener, MdevUuid uuid)
    {
        using IVfioDevice device = opener.Open(uuid);
        if (EmulatedDeviceOpener.DeviceCode(device) is not MigratableDevice code)
        {
            throw CliErrors.NoSdkDeviceCode(uuid.ToString());
        }
        using var state = new MemoryStream();
        ((IPersistentMigrationBackend)code).ExportState(state);
        return Decode(state.ToArray(), code.ExportSchema(), uuid.ToString());
    }

    /// <summary>Decodes a device-state container with its schema.</summary>
    /// <param name="state">The container, as <see cref="IPersistentMigrationBackend.ExportState"/> wrote it.</param>
    /// <param name="schema">The schema of the device that wrote it.</param>
    /// <param name="device">The device's name, for errors.</param>
    public static IReadOnlyDictionary<string, string> Decode(byte[] state, DeviceStateSchema schema, string device)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        DeviceState.Load(state, device, reader =>
        {
            var sections = new Dictionary<string, DeviceStateReader>(StringComparer.Ordinal) { [""] = reader };
            foreach (StateFieldSchema field in schema.Fields)
            {
                int slash = field.Path.LastIndexOf('/');
                string parent = slash < 0 ? "" : field.Path[..slash];
                string name = field.Path[(slash + 1)..];
                if (!sections.TryGetValue(parent, out DeviceStateReader? section) || !section.Contains(name))
                {
                    continue; // an optional field this state lacks, or one inside an absent section
                }
                if (field.Type == StateFieldType.Section)
                {
                    sections[field.Path] = section.ReadSection(name);
                    continue;
                }
                values[field.Path] = Text(section, name, field.Type);
            }
        });
        return values;
    }

    private static string Text(DeviceStateReader section, string name, StateFieldType type) => type switch
    {
        StateFieldType.U8 => section.ReadU8(name).ToString(CultureInfo.InvariantCulture),
        StateFieldType.U16 => section.ReadU16(name).ToString(CultureInfo.InvariantCulture),
        StateFieldType.U32 => section.ReadU32(name).ToString(CultureInfo.InvariantCulture),
        StateFieldType.U64 => section.ReadU64(name).ToString(CultureInfo.InvariantCulture),
        StateFieldType.I64 => section.ReadI64(name).ToString(CultureInfo.InvariantCulture),
        StateFieldType.Bool => section.ReadBool(name) ? "true" : "false",
        StateFieldType.String => section.ReadString(name),
        _ => Convert.ToHexString(section.ReadBytes(name).Span),
    };
}
