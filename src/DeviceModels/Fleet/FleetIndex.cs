using Vfio.DeviceModels.Documents;

namespace Vfio.DeviceModels.Fleet;

/// <summary>
/// Finds, across many hosts' capability documents, the places that can take a given source configuration
/// (at fleet scale: which hosts can take a given source configuration).
/// </summary>
/// <remarks>
/// <para>A fleet runs few distinct implementations of each model but many hosts. The index groups every
/// (host, parent, type) by model id and then by the content fingerprint of that type's description of the model
/// (<see cref="MigrationInfo.Fingerprint"/>), keeping only entries with free instances, each group's entries
/// pre-sorted by <see cref="FleetCandidate.Ranking"/>. A query checks each distinct description once with
/// <see cref="CompatibilityChecker"/> and merges the compatible groups' sorted lists, so its cost grows with the
/// number of distinct descriptions and the number of results asked for, not with the number of hosts.</para>
/// <para>The index is a snapshot: free-instance counts are as reported when it was built. The destination
/// manager still checks and creates the device, so a stale count costs a retry, not a wrong migration.</para>
/// </remarks>
public sealed class FleetIndex
{
    private readonly Dictionary<DeviceModelId, Group[]> _byModel;

    /// <summary>Builds the index.</summary>
    /// <param name="hosts">The hosts' capability documents.</param>
    public FleetIndex(IEnumerable<HostCapabilities> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        // Fingerprints are cached per description instance: documents built in memory often share instances.
        var fingerprints = new Dictionary<ModelDescription, string>(ReferenceEqualityComparer.Instance);
        var groups = new Dictionary<DeviceModelId, Dictionary<string, (ModelDescription Description, List<FleetCandidate> Entries)>>();
        int hostCount = 0;
        foreach (HostCapabilities host in hosts)
        {
            hostCount++;
            foreach (ParentCapabilities parent in host.Parents)
            {
                foreach (TypeCapabilities type in parent.Types)
                {
                    if (type.AvailableInstances <= 0)
                    {
                        continue;
                    }
                    var candidate = new FleetCandidate(host.Host, parent.Name, type.Name, type.AvailableInstances);
                    foreach (ModelDescription model in type.MigrationInfo.Models)
                    {
                        if (!fingerprints.TryGetValue(model, out string? fp))
                        {
                            fp = MigrationInfo.Fingerprint(model);
                            fingerprints.Add(model, fp);
                        }
                        if (!groups.TryGetValue(model.Id, out var byFingerprint))
                        {
                            groups[model.Id] = byFingerprint = new(StringComparer.Ordinal);
                        }
                        if (!byFingerprint.TryGetValue(fp, out var group))
                        {
                            byFingerprint[fp] = group = (model, []);
                        }
                        group.Entries.Add(candidate);
                    }
                }
            }
        }
        HostCount = hostCount;
        _byModel = groups.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.Values.Select(g =>
            {
                FleetCandidate[] entries = [.. g.Entries];
                Array.Sort(entries, FleetCandidate.Ranking);
                return new Group(g.Description, entries);
            }).ToArray());
        DistinctDescriptions = _byModel.Values.Sum(g => g.Length);
    }

    /// <summary>How many host documents the index was built from.</summary>
    public int HostCount { get; }

    /// <summary>How many distinct (model, description) groups the index holds: the work a query does.</summary>
    public int DistinctDescriptions { get; }

    /// <summary>Finds the places that can take a source configuration.</summary>
    /// <param name="source">The source device's configuration.</param>
    /// <param name="max">At most this many results.</param>
    /// <returns>Compatible (host, parent, type) entries with free instances, best first by <see cref="FleetCandidate.Ranking"/>.</returns>
    public IReadOnlyList<FleetCandidate> Find(DeviceConfiguration source, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Find(source.ToForeign(), max);
    }

    /// <summary>Finds the places that can take a source given in foreign form (e.g. from a <see cref="DeviceDocument"/>).</summary>
    /// <param name="source">The source's configuration as plain strings.</param>
    /// <param name="max">At most this many results.</param>
    /// <returns>Compatible (host, parent, type) entries with free instances, best first by <see cref="FleetCandidate.Ranking"/>.</returns>
    public IReadOnlyList<FleetCandidate> Find(ForeignConfiguration source, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || !_byModel.TryGetValue(source.Model, out Group[]? groups))
        {
            return [];
        }
        List<FleetCandidate[]> lists = groups.Where(g => CompatibilityChecker.Check(source, g.Description).IsCompatible).Select(g => g.Entries).ToList();
        return Merge(lists, max);
    }

    /// <summary>The baseline the index is measured against: check every type of every host in turn.</summary>
    internal static IReadOnlyList<FleetCandidate> FindByScan(IEnumerable<HostCapabilities> hosts, ForeignConfiguration source, int max = int.MaxValue)
    {
        var found = new List<FleetCandidate>();
        foreach (HostCapabilities host in hosts)
        {
            foreach (ParentCapabilities parent in host.Parents)
            {
                foreach (TypeCapabilities type in parent.Types)
                {
                    ModelDescription? model = type.MigrationInfo.Find(source.Model);
                    if (type.AvailableInstances > 0 && model is not null && CompatibilityChecker.Check(source, model).IsCompatible)
                    {
                        found.Add(new FleetCandidate(host.Host, parent.Name, type.Name, type.AvailableInstances));
                    }
                }
            }
        }
        found.Sort(FleetCandidate.Ranking);
        return found.Count > max ? found.GetRange(0, max) : found;
    }

    // k-way merge of pre-sorted lists, stopping after max results: O(max log k).
    private static List<FleetCandidate> Merge(List<FleetCandidate[]> lists, int max)
    {
        var result = new List<FleetCandidate>(Math.Min(max, lists.Sum(l => l.Length)));
        var heap = new PriorityQueue<(int List, int Pos), FleetCandidate>(FleetCandidate.Ranking);
        for (int i = 0; i < lists.Count; i++)
        {
            if (lists[i].Length > 0)
            {
                heap.Enqueue((i, 0), lists[i][0]);
            }
        }
        while (result.Count < max && heap.TryDequeue(out (int List, int Pos) at, out FleetCandidate? c))
        {
            result.Add(c);
            int next = at.Pos + 1;
            if (next < lists[at.List].Length)
            {
                heap.Enqueue((at.List, next), lists[at.List][next]);
            }
        }
        return result;
    }

    private sealed record Group(ModelDescription Description, FleetCandidate[] Entries);
}
