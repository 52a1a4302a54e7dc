using Vfio.Manager.Host;
using Vfio.Manager.Names;

namespace Vfio.Manager.Definitions;

/// <summary>One line of <c>mdevctl list</c>: a device that is defined, active, or both.</summary>
/// <param name="Uuid">The device.</param>
/// <param name="Parent">Its parent.</param>
/// <param name="Type">Its type.</param>
/// <param name="Definition">Its persistent definition, or null when it is only active.</param>
/// <param name="Active">The existing device, or null when it is only defined.</param>
public sealed record MdevListEntry(MdevUuid Uuid, ParentDeviceName Parent, MdevTypeName Type, MdevDefinition? Definition, MdevDevice? Active);
