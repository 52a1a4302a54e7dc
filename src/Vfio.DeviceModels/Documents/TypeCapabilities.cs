namespace Vfio.DeviceModels.Documents;

/// <summary>One mdev type of a parent on a host: what its devices can run and how many more can be created.</summary>
/// <param name="Name">The type name as in sysfs, e.g. <c>my-nic-2</c>.</param>
/// <param name="MigrationInfo">The models the type's devices run.</param>
/// <param name="AvailableInstances">How many more devices of the type can be created now (sysfs <c>available_instances</c>).</param>
public sealed record TypeCapabilities(string Name, MigrationInfo MigrationInfo, int AvailableInstances);
