using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Host;

/// <summary>
/// What a host has: its parent devices, their types and the mediated devices that exist, read through
/// <see cref="ISysfs"/> so that the same code reads the real <c>/sys</c> and the emulated host.
/// </summary>
/// <remarks>
/// Every read is a fresh look at the tree; nothing is cached, because other processes (mdevctl, libvirt,
/// another manager) create and remove devices. Directory entries whose names are not valid parents, types or
/// UUIDs are skipped, as mdevctl skips non-UUID entries; attribute files that do not parse are errors.
/// </remarks>
public sealed partial class MdevHost
{
    /// <summary>Creates the view over a sysfs seam.</summary>
    /// <param name="sysfs">The real or emulated tree.</param>
    public MdevHost(ISysfs sysfs)
    {
        ArgumentNullException.ThrowIfNull(sysfs);
        Sysfs = sysfs;
    }

    /// <summary>The tree this host reads.</summary>
    public ISysfs Sysfs { get; }

    private SysfsLayout Layout => Sysfs.Layout;
}
