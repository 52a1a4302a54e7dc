using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using Vfio.Errors;

namespace Vfio.Fleet.Etcd;

/// <summary>
/// gRPC channels to the etcd endpoints of <see cref="EtcdStoreOptions"/>, and unary calls with a deadline that fail
/// over to the next endpoint and end in a catalogued error naming the endpoints.
/// </summary>
/// <remarks>
/// The calls use the etcd v3 API types generated in the dotnet-etcd package (<c>Etcdserverpb</c>) on channels built
/// here rather than its <c>EtcdClient</c>: the deadlines, the TLS trust (a private CA only) and the watch's recovery
/// (compaction, restart) must be this project's, not a retry policy's.
/// </remarks>
public sealed class EtcdConnection : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private int _preferred;

    private EtcdConnection(EtcdStoreOptions options, GrpcChannel[] channels)
    {
        Options = options;
        _channels = channels;
    }

    /// <summary>The options the connection was opened with.</summary>
    public EtcdStoreOptions Options { get; }

    /// <summary>Checks the options and builds a channel per endpoint (no network traffic yet).</summary>
    /// <param name="options">Where and how.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FleetStoreOptionsInvalid"/> or <see cref="ErrorCode.FleetStoreTlsInvalid"/>.</exception>
    public static EtcdConnection Open(EtcdStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var channels = new GrpcChannel[options.Endpoints.Count];
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = GrpcChannel.ForAddress(options.Endpoints[i], new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(options),
                // Pages of the range read stay far below this; one host document is a few KiB.
                MaxReceiveMessageSize = 64 * 1024 * 1024,
            });
        }
        return new EtcdConnection(options, channels);
    }

    /// <summary>A description of the endpoints for messages.</summary>
    public string EndpointList => string.Join(",", Options.Endpoints.Select(e => e.ToString().TrimEnd('/')));

    internal int EndpointCount => _channels.Length;

    internal GrpcChannel Channel(int offset) => _channels[(_preferred + offset) % _channels.Length];

    internal Uri Endpoint(int offset) => Options.Endpoints[(_preferred + offset) % _channels.Length];

    internal CallOptions Deadline(CancellationToken cancellationToken) => new(deadline: DateTime.UtcNow + Options.Timeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Runs a unary call on the preferred endpoint, then on each other one while they are unreachable, and goes round
    /// again with a short back-off until <see cref="EtcdStoreOptions.Timeout"/> per endpoint has passed: an endpoint that
    /// just came back (a restarted etcd) is refused by the channel until it reconnects, which is not "unreachable".
    /// </summary>
    internal async Task<T> CallAsync<T>(string what, Func<GrpcChannel, CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        Exception? last = null;
        DateTime giveUp = DateTime.UtcNow + Options.Timeout * _channels.Length;
        TimeSpan pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            for (int offset = 0; offset < _channels.Length; offset++)
            {
                DateTime deadline = DateTime.UtcNow + Options.Timeout;
                try
                {
                    T result = await call(Channel(offset), new CallOptions(deadline: deadline < giveUp ? deadline : giveUp, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    _preferred = (_preferred + offset) % _channels.Length;
                    return result;
                }
                catch (RpcException e) when (IsUnreachable(e, cancellationToken))
                {
                    last = e;
                }
            }
            if (DateTime.UtcNow + pause >= giveUp)
            {
                throw Unreachable(what, last);
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < TimeSpan.FromSeconds(1) ? pause * 2 : TimeSpan.FromSeconds(1);
        }
    }

    /// <summary>Whether a failed call means "the endpoint did not answer" (try another, or retry later).</summary>
    internal static bool IsUnreachable(RpcException e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown;

    internal VfioException Unreachable(string what, Exception? cause) => EtcdErrors.Unreachable(what, Options.Timeout, EndpointList, cause);

    internal static VfioException Failed(string what, RpcException e) => EtcdErrors.RequestRefused(what, e);

    /// <summary>Reads every key under a prefix at one revision, in pages.</summary>
    /// <param name="prefix">The key prefix.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The pairs (key, value) and the store revision they were read at.</returns>
    internal async Task<(List<(string Key, string Value)> Pairs, long Revision)> RangeAsync(string prefix, CancellationToken cancellationToken)
    {
        const int PageSize = 500;
        var pairs = new List<(string, string)>();
        Google.Protobuf.ByteString end = Google.Protobuf.ByteString.CopyFromUtf8(PrefixEnd(prefix));
        Google.Protobuf.ByteString from = Google.Protobuf.ByteString.CopyFromUtf8(prefix);
        long revision = 0;
        while (true)
        {
            var request = new RangeRequest { Key = from, RangeEnd = end, Limit = PageSize, Revision = revision, SortOrder = RangeRequest.Types.SortOrder.Ascend, SortTarget = RangeRequest.Types.SortTarget.Key };
            RangeResponse page;
            try
            {
                page = await CallAsync($"reading {prefix}", (c, o) => new KV.KVClient(c).RangeAsync(request, o).ResponseAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (revision != 0 && e.StatusCode == StatusCode.OutOfRange)
            {
                // The revision of the first page was compacted away while paging: start again at the newest one.
                pairs.Clear();
                revision = 0;
                from = Google.Protobuf.ByteString.CopyFromUtf8(prefix);
                continue;
            }
            catch (RpcException e)
            {
                throw Failed($"reading {prefix}", e);
            }
            if (revision == 0)
            {
                revision = page.Header.Revision;
            }
            foreach (Mvccpb.KeyValue kv in page.Kvs)
            {
                pairs.Add((kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8()));
            }
            if (!page.More || page.Kvs.Count == 0)
            {
                return (pairs, revision);
            }
            // The next page starts just after the last key read.
            from = Google.Protobuf.ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
        }
    }

    /// <summary>The range end that selects every key starting with <paramref name="prefix"/> (etcd's "prefix + 1").</summary>
    internal static string PrefixEnd(string prefix)
    {
        // Prefixes here end in '/', an ASCII character: incrementing the last character is enough.
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }

    private static SocketsHttpHandler CreateHandler(EtcdStoreOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.Timeout,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = options.Timeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        };
        if (options.CaCertificateFile is string ca)
        {
            ConfigureTls(handler, ca, options);
        }
        return handler;
    }

    // Separate from CreateHandler so that a plain-http store never touches the X.509 types (OpenSSL on Linux).
    private static void ConfigureTls(SocketsHttpHandler handler, string ca, EtcdStoreOptions options)
    {
        // Only the given CA is trusted: an etcd cluster has its own CA, the machine's roots have no say.
        X509Certificate2Collection roots = [];
        try
        {
            roots.ImportFromPemFile(ca);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, roots),
            };
            if (options.ClientCertificateFile is string cert && options.ClientKeyFile is string key)
            {
                handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
            }
        }
        catch (CryptographicException e)
        {
            throw EtcdErrors.TlsUnreadable(ca, e);
        }
        if (roots.Count == 0)
        {
            throw EtcdErrors.CaHoldsNoCertificate(ca);

        }
    }

    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (GrpcChannel channel in _channels)
        {
            channel.Dispose();
        }
    }
}
