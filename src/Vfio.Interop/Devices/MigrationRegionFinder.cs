using Vfio.Errors;

namespace Vfio.Devices;

/// <summary>
/// Finds the v1 migration region (Linux 5.8-5.17): the region whose type capability is
/// <c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c> / <c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c>.
/// </summary>
public static class MigrationRegionFinder
{
    /// <summary><c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c> (was <c>VFIO_REGION_TYPE_MIGRATION</c>).</summary>
    public const uint MigrationRegionType = Interop.Vfio.VFIO_REGION_TYPE_MIGRATION_DEPRECATED;

    /// <summary><c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c> (was <c>VFIO_REGION_SUBTYPE_MIGRATION</c>).</summary>
    public const uint MigrationRegionSubtype = Interop.Vfio.VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED;

    /// <summary>Scans every region of the device for the v1 migration type capability.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The region, or <see langword="null"/> when the device has no v1 migration region.</returns>
    /// <exception cref="VfioException">From <see cref="IVfioDevice.GetInfo"/> and <see cref="IVfioDevice.GetRegionInfo"/>.</exception>
    public static VfioRegionInfo? FindV1(IVfioDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        uint count = device.GetInfo().NumRegions;
        for (uint index = 0; index < count; index++)
        {
            VfioRegionInfo region = device.GetRegionInfo(index);
            if (region.TypeCapability is { Type: MigrationRegionType, Subtype: MigrationRegionSubtype })
            {
                return region;
            }
        }
        return null;
    }
}
