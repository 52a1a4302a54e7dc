using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Migration;

/// <summary>
/// Steps 1 and 2 on the configurations read from sysfs, before either device is opened: the source's configuration,
/// the check's result against the destination (an existing device, or the type a new one would be created as), and
/// the configuration a new destination is created with.
/// </summary>
internal sealed record MigrationPlan(DeviceConfiguration SourceConfiguration, CompatibilityResult Result, ModelDescription? TypeModel)
{
    public static MigrationPlan For(MigrationSource source, MigrationDestination destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        DeviceConfiguration sourceConfiguration = source.Endpoint.Tree.ReadConfiguration(source.Device);
        string sourceName = source.Device.ToString();
        if (destination.ExistingDevice is MdevUuid existing)
        {
            DeviceConfiguration destinationConfiguration = destination.Endpoint.Tree.ReadConfiguration(existing);
            return new MigrationPlan(sourceConfiguration,
                CompatibilityChecker.Check(sourceConfiguration, destinationConfiguration, sourceName, existing.ToString()), null);
        }
        MdevType type = destination.Endpoint.Tree.GetSupportedType(destination.Parent!.Value, destination.Type!.Value);
        MigrationInfo info = TypeDocuments.Require(type, destination.NewDeviceUuid!.Value);
        // A type that describes another model still gets the check, which reports the model mismatch (step 1).
        ModelDescription description = info.Find(sourceConfiguration.ModelId) ?? info.Models[0];
        return new MigrationPlan(sourceConfiguration, CompatibilityChecker.Check(sourceConfiguration, description, sourceName), description);
    }

    /// <summary>
    /// The configuration a new destination is created with. Forced past a refusal, it is the source's own configuration
    /// text in the type's model; a parameter or value the type does not know still fails there (E2xxx, never forced).
    /// </summary>
    public DeviceConfiguration Pinned(string destinationName) =>
        Result.DestinationConfiguration ?? DeviceConfiguration.Parse(TypeModel!, SourceConfiguration.ToString(), destinationName);

    /// <summary>The refusal of an incompatible result, as the exception the checker throws.</summary>
    public static DeviceModelException Refusal(CompatibilityResult result)
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
}
