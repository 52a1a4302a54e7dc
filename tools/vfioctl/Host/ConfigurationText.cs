using Vfio.Ctl.Cli;
using Vfio.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;

namespace Vfio.Ctl.Host;

/// <summary>Turns <c>--config "version=2,rss=on"</c> into a configuration of the type's model.</summary>
internal static class ConfigurationText
{
    /// <summary>The configuration to pin: the text parsed against the type's model, or null when no text was given.</summary>
    /// <param name="uuid">The device the operator named, or null for one whose UUID is still to be generated: an error
    /// then names no device (a UUID of a device that never existed would only mislead).</param>
    /// <exception cref="VfioException">E6016 when the type publishes no model; E2004-E2008 for bad text.</exception>
    public static DeviceConfiguration? ForType(MdevHost host, ParentDeviceName parent, MdevTypeName type, string? text, MdevUuid? uuid)
    {
        if (text is null)
        {
            return null;
        }
        MdevType found = host.GetSupportedType(parent, type);
        ModelDescription model = found.Migration?.DefaultModel
            ?? throw CliErrors.ConfigWithoutModel(text, $"{parent}/{type}", uuid?.ToString());
        return DeviceConfiguration.Parse(model, text, uuid?.ToString());
    }
}
