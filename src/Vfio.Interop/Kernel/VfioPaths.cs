using System.Globalization;

namespace Vfio.Kernel;

/// <summary>
/// Where the VFIO device nodes live. The kernel puts them under <c>/dev/vfio</c>; tests and containers point
/// <see cref="DevRoot"/> elsewhere so the same code can be driven against prepared files.
/// </summary>
public sealed record VfioPaths
{
    /// <summary>The directory holding <c>vfio/</c>.</summary>
    /// <value>The default is <c>/dev</c>.</value>
    public string DevRoot { get; init; } = "/dev";

    /// <summary>The container node, <c>/dev/vfio/vfio</c>.</summary>
    public string ContainerPath => Path.Combine(DevRoot, "vfio", "vfio");

    /// <summary>The node of an IOMMU group, <c>/dev/vfio/&lt;group&gt;</c>.</summary>
    /// <param name="group">The IOMMU group number, as in <c>/sys/kernel/iommu_groups/&lt;group&gt;</c>.</param>
    /// <returns>The path of the group node.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The group number is negative.</exception>
    public string GroupPath(int group)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        return Path.Combine(DevRoot, "vfio", group.ToString(CultureInfo.InvariantCulture));
    }
}
