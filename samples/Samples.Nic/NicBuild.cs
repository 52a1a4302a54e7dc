namespace Vfio.Samples.Nic;

/// <summary>Which build of the NIC driver a <see cref="NicDevice"/> runs as.</summary>
/// <remarks>
/// Real vendors ship these as two driver releases; the sample keeps both in one class so the differences are
/// visible side by side: the old build knows no <c>rss</c>, allows <c>rx-filter-size</c> 0-32, speaks the v1
/// migration region, and neither writes nor reads the optional <c>stats/rx-crc-errors</c> counter.
/// </remarks>
public enum NicBuild
{
    /// <summary>The old build: versions 1-2 (<see cref="NicModel.Old"/>), v1 migration region.</summary>
    Old,

    /// <summary>The current build: versions 1-3 (<see cref="NicModel.Current"/>), v2 migration with pre-copy and P2P.</summary>
    Current,
}
