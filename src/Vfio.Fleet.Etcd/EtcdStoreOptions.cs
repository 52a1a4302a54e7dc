using Vfio.Errors;

namespace Vfio.Fleet.Etcd;

/// <summary>Where the fleet store is and how to reach it: etcd endpoints, the key prefix, TLS files and a time limit.</summary>
/// <remarks>
/// <para>Keys: every host's capability document is at <c>&lt;prefix&gt;/hosts/&lt;host name&gt;</c> (the default prefix
/// is <c>/vfio-migrate</c>), its value the document's JSON exactly as <c>vfioctl capabilities</c> prints it, bound to
/// the publishing host's lease.</para>
/// </remarks>
public sealed record EtcdStoreOptions
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultPrefix = "/vfio-migrate";

    /// <summary>The etcd client endpoints, tried in order (<c>http://</c> or <c>https://</c>; a bare <c>host:port</c> is <c>http://</c>).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>The key prefix: host documents are under <c>&lt;Prefix&gt;/hosts/</c>.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>PEM file of the CA that signed the etcd servers' certificates (required for https endpoints).</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>PEM file of this client's certificate (etcd <c>--client-cert-auth</c>); needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>PEM file of this client's private key; needs <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>How long one request (or one connection attempt) may take before the endpoint counts as unreachable.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The prefix of every host document key, ending in <c>/hosts/</c>.</summary>
    public string HostsPrefix => Prefix.TrimEnd('/') + "/hosts/";

    /// <summary>The key of one host's capability document.</summary>
    /// <param name="host">The host name (no '/').</param>
    /// <returns><c>&lt;Prefix&gt;/hosts/&lt;host&gt;</c>.</returns>
    public string HostKey(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (host.Contains('/', StringComparison.Ordinal) || host.Any(char.IsControl))
        {
            throw EtcdErrors.HostNameInvalid(host);
        }
        return HostsPrefix + host;
    }

    /// <summary>Parses a comma-separated endpoint list (<c>--etcd</c>).</summary>
    /// <param name="text">e.g. <c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>.</param>
    /// <returns>The endpoints, in order.</returns>
    public static IReadOnlyList<Uri> ParseEndpoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var endpoints = new List<Uri>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string withScheme = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
            if (!Uri.TryCreate(withScheme, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.AbsolutePath != "/" || uri.Port <= 0)
            {
                throw EtcdErrors.EndpointInvalid(part);
            }
            endpoints.Add(uri);
        }
        if (endpoints.Count == 0)
        {
            throw EtcdErrors.NoEndpoint(text);
        }
        return endpoints;
    }

    /// <summary>Checks the options as a whole (prefix, TLS files against the endpoints' schemes) before any connection.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.FleetStoreOptionsInvalid"/> or <see cref="ErrorCode.FleetStoreTlsInvalid"/>.</exception>
    public void Validate()
    {
        if (Endpoints.Count == 0)
        {
            throw EtcdErrors.NoEndpoint();
        }
        if (string.IsNullOrEmpty(Prefix) || !Prefix.StartsWith('/') || Prefix.Any(char.IsControl))
        {
            throw EtcdErrors.PrefixInvalid(Prefix);
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw EtcdErrors.TimeoutNotPositive(Timeout);
        }
        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            throw EtcdErrors.ClientPairIncomplete();
        }
        foreach ((string? file, string what) in new[] { (CaCertificateFile, "CA certificate"), (ClientCertificateFile, "client certificate"), (ClientKeyFile, "client key") })
        {
            if (file is not null && !File.Exists(file))
            {
                throw EtcdErrors.TlsFileMissing(what, file);
            }
        }
        bool anyTls = CaCertificateFile is not null || ClientCertificateFile is not null;
        foreach (Uri endpoint in Endpoints)
        {
            if (endpoint.Scheme == Uri.UriSchemeHttps && CaCertificateFile is null)
            {
                throw EtcdErrors.HttpsWithoutCa(endpoint);
            }
            if (endpoint.Scheme == Uri.UriSchemeHttp && anyTls)
            {
                throw EtcdErrors.TlsOverHttp(endpoint);

            }
        }
    }
}
