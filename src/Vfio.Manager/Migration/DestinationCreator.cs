using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Streams;

namespace Vfio.Manager.Migration;

/// <summary>
/// Creates a new destination device, as its own step once what it must run is known and accepted: for
/// <c>migrate</c>, the plan's pinned configuration; for <c>load</c>, the configuration of a stream header that the
/// type's capability document accepted. The creation is recorded (outcome, journal, log) before the
/// <see cref="MigrationCheckpoint.DestinationCreated"/> checkpoint, so a process killed there leaves an entry that removes it.
/// </summary>
internal sealed class DestinationCreator(MigrationContext context)
{
    /// <summary>
    /// Steps 1-2 for a stream bound for a new device: the header's model and configuration against the type's
    /// description. Returns the configuration to create; a refusal carries every problem (in the outcome too).
    /// </summary>
    public static DeviceConfiguration ConfigurationFor(MigrationDestination destination, MigrationStreamHeader header, MigrationOutcome outcome)
    {
        MdevUuid uuid = destination.NewDeviceUuid!.Value;
        MigrationInfo info = TypeDocuments.Require(destination.Endpoint.Tree.GetSupportedType(destination.Parent!.Value, destination.Type!.Value), uuid);
        ModelDescription model = DeviceModelId.TryParse(header.ModelId, out DeviceModelId id) && info.Find(id) is { } found ? found : info.Models[0];
        CompatibilityResult result = CompatibilityChecker.Check(DeviceModelId.Parse(header.ModelId),
            ForeignConfiguration.Parse(DeviceModelId.Parse(header.ModelId), header.Configuration, header.DeviceName).Values, header.DeviceName, model);
        if (!result.IsCompatible)
        {
            outcome.Problems = result.Problems;
            throw MigrationPlan.Refusal(result);
        }
        return result.DestinationConfiguration!;
    }

    /// <summary>Creates the device pinned to <paramref name="configuration"/>; <paramref name="journal"/> writes the
    /// journal entry that now names a created destination.</summary>
    public MdevUuid Create(MigrationDestination destination, DeviceConfiguration configuration, MigrationOutcome outcome, Action journal)
    {
        MdevUuid uuid = destination.NewDeviceUuid!.Value;
        destination.Endpoint.Tree.Create(destination.Parent!.Value, destination.Type!.Value, uuid, configuration);
        outcome.DestinationCreated = true;
        journal();
        context.Logger.DestinationCreated(uuid.ToString(), destination.Parent.Value.ToString(), destination.Type.Value.ToString(), configuration.ToString());
        context.Reach(MigrationCheckpoint.DestinationCreated);
        return uuid;
    }

    /// <summary>After a failure: removes the destination this run created (its state reset and stopped first by the
    /// caller); a removal the host refuses is logged and leaves <see cref="MigrationOutcome.DestinationRemoved"/> false.</summary>
    public void RemoveAfterFailure(MigrationEndpoint endpoint, MigrationOutcome outcome, string code)
    {
        if (!outcome.DestinationCreated || outcome.Destination is not MdevUuid created)
        {
            return;
        }
        try
        {
            endpoint.Tree.Remove(created);
            outcome.DestinationRemoved = true;
            outcome.DestinationState = null;
            context.Logger.DestinationRemoved(created.ToString(), code);
        }
        catch (Vfio.Errors.VfioException e)
        {
            context.Logger.RollbackFailed(created.ToString(), e.Message);
        }
    }
}
