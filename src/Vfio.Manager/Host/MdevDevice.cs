using Vfio.Manager.Names;

namespace Vfio.Manager.Host;

/// <summary>A mediated device that exists now (an entry of <c>sys/bus/mdev/devices</c>).</summary>
/// <param name="Uuid">The device's UUID.</param>
/// <param name="Parent">Its parent device.</param>
/// <param name="Type">Its type.</param>
/// <param name="IommuGroup">The number of its IOMMU group (from the <c>iommu_group</c> link), or null when it has none yet.</param>
/// <param name="Migration">The contents of its <c>migration/</c> directory, or null when the driver exposes none.</param>
public sealed record MdevDevice(MdevUuid Uuid, ParentDeviceName Parent, MdevTypeName Type, int? IommuGroup, DeviceMigrationAttributes? Migration);
