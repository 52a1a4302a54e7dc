using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Streams;

namespace Mdev.Manager;

// Steps 1-2: model and configuration checks. Nothing here opens a device or moves state.
public sealed partial class MigrationOrchestrator
{
    /// <summary>
    /// Steps 1 and 2 alone: whether <paramref name="source"/> can migrate to <paramref name="destination"/>, with every
    /// problem found, without opening either device.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <returns>The check's result; when compatible, the configuration the destination runs or will be created with.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, <see cref="ErrorCode.TypeNotFound"/>,
    /// <see cref="ErrorCode.MigrationInfoMissing"/> and other reasons the two sides cannot even be described.</exception>
    public CompatibilityResult Check(MigrationSource source, MigrationDestination destination)
    {
        CompatibilityResult result = Plan(source, destination).Result;
        if (!result.IsCompatible)
        {
            _logger.CompatibilityRefused(source.Device.ToString(), destination.ExistingDevice?.ToString() ?? $"{destination.Parent}/{destination.Type}", string.Join("; ", result.Problems));
        }
        return result;
    }

    private static MigrationPlan Plan(MigrationSource source, MigrationDestination destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        DeviceConfiguration sourceConfiguration = source.Host.Host.ReadConfiguration(source.Device);
        string sourceName = source.Device.ToString();
        if (destination.ExistingDevice is MdevUuid existing)
        {
            DeviceConfiguration destinationConfiguration = destination.Host.Host.ReadConfiguration(existing);
            return new MigrationPlan(sourceConfiguration,
                CompatibilityChecker.Check(sourceConfiguration, destinationConfiguration, sourceName, existing.ToString()));
        }
        MdevType type = destination.Host.Host.GetSupportedType(destination.Parent!.Value, destination.Type!.Value);
        MigrationInfo info = TypeDocuments.Require(type, destination.NewDeviceUuid!.Value);
        // A type that describes another model still gets the check, which reports the model mismatch (step 1).
        ModelDescription description = info.Find(sourceConfiguration.ModelId) ?? info.Models[0];
        return new MigrationPlan(sourceConfiguration, CompatibilityChecker.Check(sourceConfiguration, description, sourceName));
    }

    /// <summary>The stream-level guard of step 3, run once more before anything moves: the header the source will write must suit the destination.</summary>
    private static void CheckHeader(OpenedDevice source, OpenedDevice destination) =>
        StreamHeaderValidator.Check(MigrationStreamHeader.For(source.Configuration, source.Name), destination.Configuration, destination.Name);

    private static DeviceModelException Refusal(CompatibilityResult result)
    {
        try
        {
            result.ThrowIfIncompatible();
        }
        catch (DeviceModelException e)
        {
            return e;
        }
        throw new InvalidOperationException("a compatible result has no refusal");
    }

    private sealed record MigrationPlan(DeviceConfiguration SourceConfiguration, CompatibilityResult Result);
}
