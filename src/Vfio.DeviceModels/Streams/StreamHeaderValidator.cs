using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// The standard header check for a loader: the stream's model must be the destination's model and its
/// configuration must equal the destination device's configuration (compared expanded, never by text or version).
/// </summary>
public static class StreamHeaderValidator
{
    /// <summary>Creates the validator to pass to <see cref="MigrationStreamReader"/>.</summary>
    /// <param name="destination">The destination device's configuration (its model is the destination's model).</param>
    /// <param name="destinationDevice">The destination device's name, for messages.</param>
    /// <returns>A validator that throws <see cref="ErrorCode.StreamHeaderMismatch"/> on any difference.</returns>
    public static Action<MigrationStreamHeader> ForDestination(DeviceConfiguration destination, string destinationDevice)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(destinationDevice);
        return header => Check(header, destination, destinationDevice);
    }

    /// <summary>Checks a header against a destination; see <see cref="ForDestination"/>.</summary>
    /// <param name="header">The stream's header.</param>
    /// <param name="destination">The destination device's configuration.</param>
    /// <param name="destinationDevice">The destination device's name.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.StreamHeaderMismatch"/>, naming both devices, the parameter and values.</exception>
    public static void Check(MigrationStreamHeader header, DeviceConfiguration destination, string destinationDevice)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(destination);
        string model = destination.ModelId.ToString();
        if (!string.Equals(header.ModelId, model, StringComparison.Ordinal))
        {
            throw StreamErrors.HeaderModelMismatch(header.DeviceName, destinationDevice, header.ModelId, model);
        }
        if (!DeviceConfiguration.TryParse(destination.Model, header.Configuration, out DeviceConfiguration? source, out DeviceModelException? error))
        {
            throw StreamErrors.HeaderConfigurationUnrunnable(header.DeviceName, destinationDevice, header.Configuration, destination.ToString(), error);
        }
        if (!source.Equals(destination))
        {
            string differing = destination.Model.Parameters.Select(p => p.Name).First(p => source[p] != destination[p]);
            throw StreamErrors.HeaderConfigurationMismatch(header.DeviceName, destinationDevice, differing, source[differing], destination[differing],
                header.Configuration, destination.ToString());
        }
    }
}
