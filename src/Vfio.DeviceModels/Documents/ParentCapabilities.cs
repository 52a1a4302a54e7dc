namespace Vfio.DeviceModels.Documents;

/// <summary>One parent device on a host (e.g. PCI address <c>0000:00:03.0</c>) and its mdev types.</summary>
/// <param name="Name">The parent's name as in sysfs.</param>
/// <param name="Types">The types the parent offers.</param>
public sealed record ParentCapabilities(string Name, IReadOnlyList<TypeCapabilities> Types);
