using Vfio.DeviceModels;

namespace Vfio.Sdk.Testing;

/// <summary>What <see cref="MigrationTestKit.Prove{TDevice}"/> does to the devices of each case, and how it compares them.</summary>
/// <typeparam name="TDevice">The vendor's device class (both builds must create it, or a base of it).</typeparam>
public sealed class MigrationTestOptions<TDevice> where TDevice : MigratableDevice
{
    /// <summary>Guest activity on the source before the migration starts (fill memory, ring a doorbell); null for none.</summary>
    public Action<TDevice>? Exercise { get; init; }

    /// <summary>
    /// Guest activity on the source between the first pre-copy round and the stop (so that sections are sent again);
    /// runs in pre-copy cases only; null for none.
    /// </summary>
    public Action<TDevice>? WhilePreCopy { get; init; }

    /// <summary>
    /// The device's observable state as name/value pairs, compared after each case: between two devices of one build
    /// every pair must be equal; between two builds the names both report must have equal values. Null to compare
    /// only what the kit sees itself (see <see cref="MigrationTestKit"/>).
    /// </summary>
    public Func<TDevice, IReadOnlyDictionary<string, string>>? Describe { get; init; }

    /// <summary>
    /// The configurations to move, as text of the source build's model (e.g. <c>version=2,rss=off</c>); null for every
    /// version both builds describe, or, for a model without versions, its init configuration.
    /// </summary>
    public IReadOnlyList<string>? Configurations { get; init; }

    /// <summary>Bytes per read from the device's data stream (default 64 KiB); small values exercise partial reads.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    internal IEnumerable<string> ConfigurationsFor(ModelDescription first, ModelDescription second) =>
        Configurations
        ?? (first.Versions.Count == 0 && second.Versions.Count == 0
            ? [DeviceConfiguration.FromInit(first).ToString()]
            : first.Versions.Where(v => second.HasVersion(v.Name)).Select(v => v.ToString()));
}
