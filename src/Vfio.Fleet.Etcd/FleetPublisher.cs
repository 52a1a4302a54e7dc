using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Vfio.Errors;

namespace Vfio.Fleet.Etcd;

/// <summary>
/// Publishes one host's capability document at <c>&lt;prefix&gt;/hosts/&lt;host&gt;</c>, bound to a lease this publisher
/// keeps alive: when the host (or the publisher) dies, the lease expires after its TTL and the key goes with it.
/// </summary>
public sealed class FleetPublisher
{
    private readonly EtcdConnection _connection;
    private readonly string _key;
    private readonly TimeSpan _ttl;
    private string? _published;

    /// <summary>Creates a publisher (no network traffic yet).</summary>
    /// <param name="connection">The store.</param>
    /// <param name="host">The host name: the last part of the key.</param>
    /// <param name="ttl">The lease's time to live: how long after the last keep-alive the document disappears.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.FleetStoreOptionsInvalid"/> for a bad host name or TTL.</exception>
    public FleetPublisher(EtcdConnection connection, string host, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (ttl < TimeSpan.FromSeconds(2) || ttl > TimeSpan.FromDays(1))
        {
            throw EtcdErrors.LeaseTtlOutOfRange(ttl);
        }
        _connection = connection;
        _key = connection.Options.HostKey(host);
        _ttl = ttl;
    }

    /// <summary>The key the document is published at.</summary>
    public string Key => _key;

    /// <summary>The current lease's id, or 0 before the first publish.</summary>
    public long LeaseId { get; private set; }

    /// <summary>Grants a lease when there is none, then writes the document bound to it.</summary>
    /// <param name="document">The capability document's JSON.</param>
    /// <param name="cancellationToken">Stops the calls.</param>
    /// <returns>The store revision of the write.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FleetStoreUnreachable"/> or <see cref="ErrorCode.FleetStoreRequestFailed"/>.</exception>
    public async Task<long> PublishAsync(string document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (LeaseId == 0)
        {
            await GrantAsync(cancellationToken).ConfigureAwait(false);
        }
        var put = new PutRequest { Key = ByteString.CopyFromUtf8(_key), Value = ByteString.CopyFromUtf8(document), Lease = LeaseId };
        try
        {
            PutResponse response = await _connection.CallAsync($"publishing {_key}", (c, o) => new KV.KVClient(c).PutAsync(put, o).ResponseAsync, cancellationToken).ConfigureAwait(false);
            _published = document;
            return response.Header.Revision;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // The lease expired between keep-alives (etcd was away longer than the TTL): take a new one.
            LeaseId = 0;
            return await PublishAsync(document, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw EtcdConnection.Failed($"publishing {_key}", e);
        }
    }

    /// <summary>Refreshes the lease once; when it has expired, grants a new one and writes the last document again.</summary>
    /// <param name="cancellationToken">Stops the calls.</param>
    /// <returns>True when the lease was alive, false when the document had to be written again.</returns>
    public async Task<bool> KeepAliveAsync(CancellationToken cancellationToken = default)
    {
        if (LeaseId == 0 || _published is null)
        {
            throw new InvalidOperationException("publish a document first.");
        }
        long lease = LeaseId;
        long ttl = await _connection.CallAsync($"keeping lease {lease:x} alive", async (c, o) =>
        {
            using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call = new Lease.LeaseClient(c).LeaseKeepAlive(o);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, o.CancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return await call.ResponseStream.MoveNext(o.CancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current.TTL : 0;
        }, cancellationToken).ConfigureAwait(false);
        if (ttl > 0)
        {
            return true;
        }
        LeaseId = 0;
        await PublishAsync(_published, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Publishes now, then until cancelled keeps the lease alive (every third of the TTL) and writes the document
    /// again whenever <paramref name="document"/> returns a different one (checked every <paramref name="interval"/>).
    /// On cancellation revokes the lease, so the host drops out at once. A store that does not answer is reported
    /// through <paramref name="report"/> and tried again at the next tick; only the first publish must succeed.
    /// </summary>
    /// <param name="document">Produces the host's current capability document.</param>
    /// <param name="interval">How often the document is produced again and compared.</param>
    /// <param name="report">Receives one line per event (published, re-published, store away).</param>
    /// <param name="cancellationToken">Ends the run (SIGINT/SIGTERM).</param>
    /// <returns>When the lease has been revoked.</returns>
    public async Task RunAsync(Func<string> document, TimeSpan interval, Action<string> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(report);
        if (interval <= TimeSpan.Zero)
        {
            throw EtcdErrors.IntervalNotPositive(interval);
        }
        long revision = await PublishAsync(document(), cancellationToken).ConfigureAwait(false);
        report($"published {_key} (lease {LeaseId:x}, ttl {_ttl.TotalSeconds:0}s, revision {revision})");
        TimeSpan tick = TimeSpan.FromTicks(Math.Min(_ttl.Ticks / 3, interval.Ticks));
        DateTime nextKeepAlive = DateTime.UtcNow + _ttl / 3;
        DateTime nextCheck = DateTime.UtcNow + interval;
        try
        {
            while (true)
            {
                await Task.Delay(tick, cancellationToken).ConfigureAwait(false);
                try
                {
                    if (DateTime.UtcNow >= nextCheck)
                    {
                        nextCheck = DateTime.UtcNow + interval;
                        string current = document();
                        if (current != _published)
                        {
                            revision = await PublishAsync(current, cancellationToken).ConfigureAwait(false);
                            report($"re-published {_key} (revision {revision})");
                        }
                    }
                    if (DateTime.UtcNow >= nextKeepAlive)
                    {
                        nextKeepAlive = DateTime.UtcNow + _ttl / 3;
                        if (!await KeepAliveAsync(cancellationToken).ConfigureAwait(false))
                        {
                            report($"lease had expired; re-published {_key} under lease {LeaseId:x}");
                        }
                    }
                }
                catch (VfioException e) when (e.Code is ErrorCode.FleetStoreUnreachable && !cancellationToken.IsCancellationRequested)
                {
                    report($"warning: {e.ToDisplayString()}; trying again");
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            await RevokeAsync().ConfigureAwait(false);
            report($"revoked lease {LeaseId:x}: {_key} removed");
        }
    }

    /// <summary>Revokes the lease: the document disappears at once.</summary>
    /// <returns>When etcd has answered (or no endpoint did within the timeout).</returns>
    public async Task RevokeAsync()
    {
        if (LeaseId == 0)
        {
            return;
        }
        long lease = LeaseId;
        try
        {
            await _connection.CallAsync($"revoking lease {lease:x}", (c, o) => new Lease.LeaseClient(c).LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, o).ResponseAsync, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already expired: the key is gone either way.
        }
    }

    private async Task GrantAsync(CancellationToken cancellationToken)
    {
        var request = new LeaseGrantRequest { TTL = (long)Math.Ceiling(_ttl.TotalSeconds) };
        LeaseGrantResponse response;
        try
        {
            response = await _connection.CallAsync($"granting a lease for {_key}", (c, o) => new Lease.LeaseClient(c).LeaseGrantAsync(request, o).ResponseAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw EtcdConnection.Failed($"granting a lease for {_key}", e);
        }
        if (!string.IsNullOrEmpty(response.Error))
        {
            throw EtcdErrors.LeaseRefused(_key, response.Error);

        }
        LeaseId = response.ID;
    }
}
