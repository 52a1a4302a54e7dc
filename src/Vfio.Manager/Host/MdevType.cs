using Vfio.Manager.Names;

namespace Vfio.Manager.Host;

/// <summary>One mdev type of a parent, with its kernel attributes and its migration information.</summary>
/// <param name="Parent">The parent device.</param>
/// <param name="Name">The type's directory name, e.g. <c>mtty-2</c>.</param>
/// <param name="DisplayName">The <c>name</c> attribute (e.g. <c>Dual port serial</c>), or null when the driver gives none.</param>
/// <param name="Description">The <c>description</c> attribute, or null when the driver has none (the kernel hides it then).</param>
/// <param name="DeviceApi">The <c>device_api</c> attribute, e.g. <c>vfio-pci</c>.</param>
/// <param name="AvailableInstances">The <c>available_instances</c> attribute at the time of reading.</param>
/// <param name="Migration">The type's capability document, or null when it has neither a <c>migration_info.json</c> nor a manifest.</param>
public sealed record MdevType(
    ParentDeviceName Parent,
    MdevTypeName Name,
    string? DisplayName,
    string? Description,
    string DeviceApi,
    int AvailableInstances,
    TypeMigrationInfo? Migration);
