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
/// kept sorted by <see cref="FleetCandidate.Ranking"/> (a sorted set per group). A query checks each distinct description
/// once with <see cref="CompatibilityChecker"/> and merges the compatible groups' sorted sets, so its cost grows with the
/// number of distinct descriptions and the number of results asked for, not with the number of hosts.</para>
/// <para>An index built from keyed documents is updated in place: <see cref="Set"/> and <see cref="Remove"/> touch only
/// that document's entries (O(entries x log n)), and the answers stay those of a fresh build over the documents held.
/// Queries and updates may come from different threads.</para>
/// <para>The index is a snapshot: free-instance counts are as reported when last given. The destination
/// manager still checks and creates the device, so a stale count costs a retry, not a wrong migration.</para>
/// </remarks>
public sealed class FleetIndex
{
    // Entries are unique (the sequence breaks ties between equal candidates, e.g. two documents naming the same host),
    // so a group is a sorted set that can be updated in place; equal candidates are equal values, so the order among
    // them does not change an answer.
    private static readonly IComparer<Entry> EntryOrder = Comparer<Entry>.Create((a, b) =>
    {
        int c = FleetCandidate.Ranking.Compare(a!.Candidate, b!.Candidate);
        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    });

    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceModelId, Dictionary<string, Group>> _byModel = [];
    // What each keyed document put into the groups, so that replacing or removing it touches only its own entries.
    private readonly Dictionary<string, Placement[]> _byKey = new(StringComparer.Ordinal);
    // Fingerprints are cached per description instance: documents built in memory often share instances.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModelDescription, string> _fingerprints = [];
    private long _sequence;
    private int _unkeyed;

    /// <summary>Builds the index. Its documents cannot be replaced or removed later (they have no key).</summary>
    /// <param name="hosts">The hosts' capability documents.</param>
    public FleetIndex(IEnumerable<HostCapabilities> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var pending = new Dictionary<Group, List<Entry>>(ReferenceEqualityComparer.Instance);
        foreach (HostCapabilities host in hosts)
        {
            ArgumentNullException.ThrowIfNull(host, nameof(hosts));
            Place(host, pending);
            _unkeyed++;
        }
        Seal(pending);
    }

    /// <summary>Builds an index whose documents can later be replaced (<see cref="Set"/>) or removed (<see cref="Remove"/>) by key.</summary>
    /// <param name="documents">Each host's capability document under a key of the caller's (e.g. the store key it was read from).</param>
    public FleetIndex(IEnumerable<KeyValuePair<string, HostCapabilities>> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var pending = new Dictionary<Group, List<Entry>>(ReferenceEqualityComparer.Instance);
        foreach ((string key, HostCapabilities host) in documents)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(documents));
            ArgumentNullException.ThrowIfNull(host, nameof(documents));
            if (_byKey.ContainsKey(key))
            {
                throw new ArgumentException($"the key '{key}' is given twice.", nameof(documents));
            }
            _byKey.Add(key, Place(host, pending));
        }
        Seal(pending);
    }

    /// <summary>How many host documents the index holds.</summary>
    public int HostCount
    {
        get
        {
            lock (_gate)
            {
                return _unkeyed + _byKey.Count;
            }
        }
    }

    /// <summary>How many distinct (model, description) groups the index holds: the work a query does.</summary>
    public int DistinctDescriptions
    {
        get
        {
            lock (_gate)
            {
                return _byModel.Values.Sum(g => g.Count);
            }
        }
    }

    /// <summary>
    /// Adds or replaces the document under <paramref name="key"/>, in place: only that document's entries are removed
    /// and inserted (O(entries x log n)); the answers are those of a fresh build over the documents now held.
    /// </summary>
    /// <param name="key">The document's key (see <see cref="FleetIndex(IEnumerable{KeyValuePair{string, HostCapabilities}})"/>).</param>
    /// <param name="host">Its new content.</param>
    public void Set(string key, HostCapabilities host)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(host);
        lock (_gate)
        {
            RemoveLocked(key);
            var pending = new Dictionary<Group, List<Entry>>(ReferenceEqualityComparer.Instance);
            Placement[] placed = Place(host, pending);
            foreach ((Group group, List<Entry> entries) in pending)
            {
                foreach (Entry entry in entries)
                {
                    group.Entries.Add(entry);
                }
            }
            _byKey.Add(key, placed);
        }
    }

    /// <summary>Removes the document under <paramref name="key"/>, in place.</summary>
    /// <param name="key">The document's key.</param>
    /// <returns>False when no document has that key.</returns>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return RemoveLocked(key);
        }
    }

    private bool RemoveLocked(string key)
    {
        if (!_byKey.Remove(key, out Placement[]? placed))
        {
            return false;
        }
        foreach ((Group group, Entry entry) in placed)
        {
            group.Entries.Remove(entry);
            if (group.Entries.Count == 0 && _byModel.TryGetValue(group.Description.Id, out var byFingerprint))
            {
                // A fresh build has no group without entries.
                byFingerprint.Remove(group.Fingerprint);
                if (byFingerprint.Count == 0)
                {
                    _byModel.Remove(group.Description.Id);
                }
            }
        }
        return true;
    }

    // Groups one document's entries (free instances only) by model and description fingerprint, creating groups as
    // needed; the entries are collected in pending and put into the groups' sets by the caller.
    private Placement[] Place(HostCapabilities host, Dictionary<Group, List<Entry>> pending)
    {
        var placed = new List<Placement>();
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
                    string fp = _fingerprints.GetValue(model, MigrationInfo.Fingerprint);
                    if (!_byModel.TryGetValue(model.Id, out var byFingerprint))
                    {
                        _byModel[model.Id] = byFingerprint = new(StringComparer.Ordinal);
                    }
                    if (!byFingerprint.TryGetValue(fp, out Group? group))
                    {
                        byFingerprint[fp] = group = new Group(model, fp, new SortedSet<Entry>(EntryOrder));
                    }
                    var entry = new Entry(candidate, _sequence++);
                    if (!pending.TryGetValue(group, out List<Entry>? entries))
                    {
                        pending[group] = entries = [];
                    }
                    entries.Add(entry);
                    placed.Add(new Placement(group, entry));
                }
            }
        }
        return [.. placed];
    }

    // Bulk load of a build: a sorted set made from a whole collection is sorted once and built as a balanced tree
    // in one pass, not by n insertions.
    private static void Seal(Dictionary<Group, List<Entry>> pending)
    {
        foreach ((Group group, List<Entry> entries) in pending)
        {
            group.Entries = new SortedSet<Entry>(entries, EntryOrder);
        }
    }

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
        lock (_gate)
        {
            if (max == 0 || !_byModel.TryGetValue(source.Model, out Dictionary<string, Group>? groups))
            {
                return [];
            }
            // A source that does not state its off values learns them from the fleet's descriptions of the model.
            source = source.WithOffValuesFrom(groups.Values.Where(g => g.Entries.Count > 0).Select(g => g.Description));
            List<SortedSet<Entry>> sets = groups.Values.Where(g => CompatibilityChecker.Check(source, g.Description).IsCompatible).Select(g => g.Entries).ToList();
            return Merge(sets, max);
        }
    }

    /// <summary>The baseline the index is measured against: check every type of every host in turn.</summary>
    internal static IReadOnlyList<FleetCandidate> FindByScan(IEnumerable<HostCapabilities> hosts, ForeignConfiguration source, int max = int.MaxValue)
    {
        HostCapabilities[] all = [.. hosts];
        source = source.WithOffValuesFrom(all.SelectMany(h => h.Parents).SelectMany(p => p.Types)
            .Where(t => t.AvailableInstances > 0).Select(t => t.MigrationInfo.Find(source.Model)).OfType<ModelDescription>());
        var found = new List<FleetCandidate>();
        foreach (HostCapabilities host in all)
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

    // k-way merge of the sorted sets, stopping after max results: O(k log n + max log k).
    private static List<FleetCandidate> Merge(List<SortedSet<Entry>> sets, int max)
    {
        var result = new List<FleetCandidate>(Math.Min(max, sets.Sum(s => s.Count)));
        var cursors = new SortedSet<Entry>.Enumerator[sets.Count];
        var heap = new PriorityQueue<int, Entry>(EntryOrder);
        for (int i = 0; i < sets.Count; i++)
        {
            cursors[i] = sets[i].GetEnumerator();
            if (cursors[i].MoveNext())
            {
                heap.Enqueue(i, cursors[i].Current);
            }
        }
        while (result.Count < max && heap.TryDequeue(out int i, out Entry? entry))
        {
            result.Add(entry.Candidate);
            if (cursors[i].MoveNext())
            {
                heap.Enqueue(i, cursors[i].Current);
            }
        }
        return result;
    }

    private sealed record Entry(FleetCandidate Candidate, long Sequence);

    private sealed record Placement(Group Group, Entry Entry);

    // Reference identity: a group is one object, even when two groups' contents compare equal.
    private sealed class Group(ModelDescription description, string fingerprint, SortedSet<Entry> entries)
    {
        public ModelDescription Description { get; } = description;

        public string Fingerprint { get; } = fingerprint;

        public SortedSet<Entry> Entries { get; set; } = entries;
    }
}
