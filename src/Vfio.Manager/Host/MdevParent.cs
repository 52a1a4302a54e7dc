using Vfio.Manager.Names;

namespace Vfio.Manager.Host;

/// <summary>A parent device that registered with the mdev core (an entry of <c>sys/class/mdev_bus</c>).</summary>
/// <param name="Name">The parent's name, e.g. <c>0000:00:03.0</c> or <c>mtty</c>.</param>
/// <param name="Driver">The name of the driver bound to the parent (its <c>driver</c> link), or null for a virtual parent without one.</param>
/// <param name="Types">The types the parent supports, sorted by name.</param>
public sealed record MdevParent(ParentDeviceName Name, string? Driver, IReadOnlyList<MdevType> Types);
