using Etcdserverpb;
using Grpc.Core;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Errors;

namespace Vfio.Fleet.Etcd;

/// <summary>
/// A <see cref="FleetIndex"/> over the host documents published in etcd: built from one range read of
/// <c>&lt;prefix&gt;/hosts/</c> and kept current by a watch from that read's revision, so a query never reads the store.
/// </summary>
/// <remarks>
/// <para>Every put or delete the watch delivers replaces or removes one host's document, and updates the
/// <see cref="FleetIndex"/> in place (only that document's entries; never a rebuild, never a read of the store). A
/// re-list builds a new index from the documents read. When the watch's
/// start revision has been compacted away the index re-lists (a new range read, then a watch from its revision); when
/// the connection breaks (etcd restarted) the watch is opened again from the last revision seen, with a back-off capped
/// at one second, for as long as the index lives. <see cref="LastError"/> says why it is not current.</para>
/// <para>A document that does not parse is left out of the index and listed in <see cref="Rejected"/> with its error,
/// rather than making every query fail.</para>
/// <para>Answers are advisory: free-instance counts are as last published; the destination re-checks at creation.</para>
/// </remarks>
public sealed class EtcdFleetIndex : IAsyncDisposable
{
    private readonly EtcdConnection _connection;
    private readonly string _prefix;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HostCapabilities> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _rejected = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ModelDescription> _descriptions = new(StringComparer.Ordinal);
    private FleetIndex _index = new(Array.Empty<KeyValuePair<string, HostCapabilities>>());
    private long _revision;
    private Task _watch = Task.CompletedTask;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EtcdFleetIndex(EtcdConnection connection)
    {
        _connection = connection;
        _prefix = connection.Options.HostsPrefix;
    }

    /// <summary>Reads every host document and starts watching from the read's revision.</summary>
    /// <param name="connection">The store.</param>
    /// <param name="watch">False for a one-shot read (no watch): the index stays as read.</param>
    /// <param name="cancellationToken">Stops the initial read.</param>
    /// <returns>The index, current as of the read.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FleetStoreUnreachable"/> when no endpoint answers within the timeout.</exception>
    public static async Task<EtcdFleetIndex> OpenAsync(EtcdConnection connection, bool watch = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var index = new EtcdFleetIndex(connection);
        await index.ListAsync(cancellationToken).ConfigureAwait(false);
        if (watch)
        {
            index.StartWatching();
        }
        return index;
    }

    /// <summary>Starts the watch of an index opened without one, from the revision it was read at (or re-lists when
    /// that revision has been compacted since).</summary>
    /// <exception cref="InvalidOperationException">The index already watches.</exception>
    public void StartWatching()
    {
        if (!_watch.IsCompleted)
        {
            throw new InvalidOperationException("the index already watches the store.");
        }
        _watch = Task.Run(() => WatchLoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>The store revision the documents in memory reflect.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>How many full range reads were made: one at the start, one more after each compaction of the watch's revision.</summary>
    public int Lists { get; private set; }

    /// <summary>How many times the watch was opened again after its connection broke.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Why the index may not be current (the watch's last failure), or null while the watch runs.</summary>
    public string? LastError { get; private set; }

    /// <summary>The index over the current documents: the watch updates it in place; a re-list replaces it.</summary>
    public FleetIndex Index
    {
        get
        {
            lock (_gate)
            {
                return _index;
            }
        }
    }

    /// <summary>The hosts whose documents the index holds.</summary>
    public IReadOnlyList<string> Hosts
    {
        get
        {
            lock (_gate)
            {
                return [.. _hosts.Values.Select(h => h.Host).Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Keys whose value did not parse as a host capability document, with the error.</summary>
    public IReadOnlyDictionary<string, string> Rejected
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_rejected, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Finds the places that can take a source (see <see cref="FleetIndex.Find(ForeignConfiguration, int)"/>).</summary>
    /// <param name="source">The source's configuration.</param>
    /// <param name="max">At most this many results.</param>
    /// <returns>The candidates, best first.</returns>
    public IReadOnlyList<FleetCandidate> Find(ForeignConfiguration source, int max = int.MaxValue) => Index.Find(source, max);

    /// <summary>Waits until the documents reflect at least <paramref name="revision"/> (e.g. the revision a put returned).</summary>
    /// <param name="revision">The store revision.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <returns>True when reached, false on timeout.</returns>
    public async Task<bool> WaitForRevisionAsync(long revision, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_revision >= revision)
                {
                    return true;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        (List<(string Key, string Value)> pairs, long revision) = await _connection.RangeAsync(_prefix, cancellationToken).ConfigureAwait(false);
        var hosts = new Dictionary<string, HostCapabilities>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string value) in pairs)
        {
            if (Parse(key, value, out HostCapabilities? host, out string? error))
            {
                hosts[key] = host;
            }
            else
            {
                rejected[key] = error;
            }
        }
        var index = new FleetIndex(hosts);
        lock (_gate)
        {
            _hosts.Clear();
            _rejected.Clear();
            foreach (KeyValuePair<string, HostCapabilities> kv in hosts)
            {
                _hosts.Add(kv.Key, kv.Value);
            }
            foreach (KeyValuePair<string, string> kv in rejected)
            {
                _rejected.Add(kv.Key, kv.Value);
            }
            _revision = revision;
            _index = index;
            Lists++;
            Signal();
        }
    }

    private bool Parse(string key, string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HostCapabilities? host, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        try
        {
            host = Canonical(HostCapabilities.Parse(value));
            error = null;
            return true;
        }
        catch (DeviceModelException e)
        {
            host = null;
            error = $"{key}: {e.ToDisplayString()}";
            return false;
        }
    }

    // A fleet runs few distinct model descriptions on many hosts. Each parsed document holds its own instances; they
    // are replaced by one shared instance per fingerprint, computed once per document as it arrives, so that memory
    // holds each distinct description once and the FleetIndex (which caches fingerprints per instance) fingerprints
    // each one only once.
    private HostCapabilities Canonical(HostCapabilities host)
    {
        return host with
        {
            Parents = [.. host.Parents.Select(p => p with
            {
                Types = [.. p.Types.Select(t => t with { MigrationInfo = new MigrationInfo(t.MigrationInfo.Models.Select(Shared)) })],
            })],
        };
    }

    private ModelDescription Shared(ModelDescription model)
    {
        string fingerprint = MigrationInfo.Fingerprint(model);
        lock (_descriptions)
        {
            if (!_descriptions.TryGetValue(fingerprint, out ModelDescription? shared))
            {
                _descriptions.Add(fingerprint, shared = model);
            }
            return shared;
        }
    }

    private void Signal()
    {
        // Called under _gate: wake every waiter, arm the next signal.
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task WatchLoopAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(50);
        int endpoint = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                bool compacted = await WatchOnceAsync(_connection.Channel(endpoint), stop).ConfigureAwait(false);
                if (compacted)
                {
                    await ListAsync(stop).ConfigureAwait(false);
                }
                backoff = TimeSpan.FromMilliseconds(50);
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                LastError = $"watch on {_connection.Endpoint(endpoint)}: {e.Status.StatusCode}: {e.Status.Detail}";
            }
            catch (VfioException e)
            {
                LastError = e.ToDisplayString();
            }
            catch (IOException e)
            {
                LastError = $"watch on {_connection.Endpoint(endpoint)}: {e.Message}";
            }
            Reconnects++;
            endpoint = (endpoint + 1) % _connection.EndpointCount;
            try
            {
                await Task.Delay(backoff, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    // One watch stream from the revision after the last one seen. Returns true when etcd says that revision was compacted
    // (the caller re-lists), false when the server ended the stream; throws when the connection breaks.
    private async Task<bool> WatchOnceAsync(Grpc.Net.Client.GrpcChannel channel, CancellationToken stop)
    {
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call = new Watch.WatchClient(channel).Watch(cancellationToken: stop);
        long start = Revision + 1;
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = Google.Protobuf.ByteString.CopyFromUtf8(_prefix),
                RangeEnd = Google.Protobuf.ByteString.CopyFromUtf8(EtcdConnection.PrefixEnd(_prefix)),
                StartRevision = start,
                ProgressNotify = true,
            },
        }, stop).ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(stop).ConfigureAwait(false))
        {
            WatchResponse response = call.ResponseStream.Current;
            if (response.CompactRevision > 0)
            {
                LastError = $"the watch's start revision {start} was compacted (compact revision {response.CompactRevision}); re-listing";
                return true;
            }
            if (response.Canceled)
            {
                LastError = $"etcd cancelled the watch: {response.CancelReason}";
                return false;
            }
            if (response.Created)
            {
                LastError = null;
            }
            Apply(response);
        }
        return false;
    }

    private void Apply(WatchResponse response)
    {
        var parsed = new List<(string Key, HostCapabilities? Host, string? Error, bool Deleted)>(response.Events.Count);
        foreach (Mvccpb.Event e in response.Events)
        {
            string key = e.Kv.Key.ToStringUtf8();
            if (e.Type == Mvccpb.Event.Types.EventType.Delete)
            {
                parsed.Add((key, null, null, true));
            }
            else
            {
                Parse(key, e.Kv.Value.ToStringUtf8(), out HostCapabilities? host, out string? error);
                parsed.Add((key, host, error, false));
            }
        }
        lock (_gate)
        {
            foreach ((string key, HostCapabilities? host, string? error, bool deleted) in parsed)
            {
                _hosts.Remove(key);
                _rejected.Remove(key);
                if (!deleted && host is not null)
                {
                    _hosts[key] = host;
                    _index.Set(key, host);
                }
                else
                {
                    _index.Remove(key);
                    if (!deleted)
                    {
                        _rejected[key] = error!;
                    }
                }
            }
            // Events carry their revision; an empty response that is not the creation answer is a progress
            // notification (all events up to its header's revision were sent). The creation answer's header is the
            // store's current revision, not how far this watch has caught up, so it moves nothing.
            long revision = response.Events.Count > 0 ? response.Events[^1].Kv.ModRevision : response.Created ? 0 : response.Header.Revision;
            _revision = Math.Max(_revision, revision);
            Signal();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watch.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The watch ended because it was told to.
        }
        _stop.Dispose();
    }
}
