namespace Vfio.DeviceModels.Fleet;

/// <summary>A place in the fleet that can take a source device: a type of a parent on a host with free instances.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Parent">The parent device on that host.</param>
/// <param name="Type">The mdev type under that parent.</param>
/// <param name="AvailableInstances">Free instances of the type when the host reported its capabilities.</param>
public sealed record FleetCandidate(string Host, string Parent, string Type, int AvailableInstances)
{
    /// <summary>
    /// The ranking rule of <see cref="FleetIndex.Find(ForeignConfiguration, int)"/>: most free instances first (spreads
    /// load and leaves room for retries), then host, parent and type name (ordinal) so ties are deterministic.
    /// </summary>
    public static IComparer<FleetCandidate> Ranking { get; } = Comparer<FleetCandidate>.Create(Compare);

    private static int Compare(FleetCandidate? a, FleetCandidate? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : 1) : -1;
        }
        int c = b.AvailableInstances.CompareTo(a.AvailableInstances);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Host, b.Host);
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Parent, b.Parent);
        }
        return c != 0 ? c : string.CompareOrdinal(a.Type, b.Type);
    }
}
