using System.Text;
using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// What a migration stream says about its source before any device data: the model id, the full
/// configuration in canonical text form, and the source device's name.
/// </summary>
/// <remarks>
/// The destination compares <see cref="ModelId"/> and <see cref="Configuration"/> with its own device before it
/// writes one byte into RESUMING (docs/stream-format.md). The strings are carried as text so
/// that the envelope stays independent of the model classes; the validator parses them.
/// </remarks>
public sealed record MigrationStreamHeader
{
    /// <summary>Creates a header, checking the UTF-8 lengths the format allows.</summary>
    /// <param name="modelId">The source model id, e.g. <c>vendor-a.com/my-nic</c> (1-255 UTF-8 bytes).</param>
    /// <param name="configuration">The canonical configuration text (at most 65535 UTF-8 bytes; empty when every parameter is off).</param>
    /// <param name="deviceName">The source device's name (at most 255 UTF-8 bytes).</param>
    /// <exception cref="MigrationStreamException"><see cref="ErrorCode.StreamLengthOversized"/> when a string is too long or the model id is empty.</exception>
    public MigrationStreamHeader(string modelId, string configuration, string deviceName)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(deviceName);
        CheckLength(nameof(ModelId), modelId, 1, StreamFormat.MaxModelIdBytes);
        CheckLength(nameof(Configuration), configuration, 0, StreamFormat.MaxConfigurationBytes);
        CheckLength(nameof(DeviceName), deviceName, 0, StreamFormat.MaxDeviceNameBytes);
        ModelId = modelId;
        Configuration = configuration;
        DeviceName = deviceName;
    }

    /// <summary>The source device's model id.</summary>
    public string ModelId { get; }

    /// <summary>The source device's configuration, canonical text (<c>DeviceConfiguration.ToString()</c>).</summary>
    public string Configuration { get; }

    /// <summary>The source device's name (UUID, PCI address or emulated name), for messages.</summary>
    public string DeviceName { get; }

    /// <summary>The header a source device writes: its model id, canonical configuration text and name.</summary>
    /// <param name="configuration">The source device's configuration.</param>
    /// <param name="deviceName">The source device's name.</param>
    /// <returns>The header.</returns>
    public static MigrationStreamHeader For(DeviceConfiguration configuration, string deviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new MigrationStreamHeader(configuration.ModelId.ToString(), configuration.ToString(), deviceName);
    }

    private static void CheckLength(string field, string value, int min, int max)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes < min || bytes > max)
        {
            throw StreamErrors.HeaderFieldLength(field, value, bytes, min, max);
        }
    }
}
