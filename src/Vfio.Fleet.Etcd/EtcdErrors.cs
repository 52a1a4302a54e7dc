using System.Globalization;
using Vfio.Errors;

namespace Vfio.Fleet.Etcd;

/// <summary>
/// Every <see cref="VfioException"/> the fleet store raises (catalogue codes 606x), one factory per situation: each fact
/// is passed once and lands both in the message and on its property. Sites throw what a factory returns; RepositoryTests
/// keep it that way.
/// </summary>
internal static class EtcdErrors
{
    /// <summary>fleet-store-unreachable: no endpoint answered in time.</summary>
    internal static VfioException Unreachable(string what, TimeSpan timeout, string endpoints, Exception? cause) => new(
        ErrorCode.FleetStoreUnreachable,
        $"{what}: no etcd endpoint answered within {timeout.TotalSeconds:0.###}s ({endpoints}){(cause is Grpc.Core.RpcException r ? $": {r.Status.StatusCode}: {r.Status.Detail}" : "")}.",
        cause) { Value = endpoints };

    /// <summary>fleet-store-request-failed: etcd answered a call with an error status.</summary>
    internal static VfioException RequestRefused(string what, Grpc.Core.RpcException e) => new(
        ErrorCode.FleetStoreRequestFailed, $"{what}: etcd refused the request: {e.Status.StatusCode}: {e.Status.Detail}.", e) { Value = e.Status.Detail };

    /// <summary>fleet-store-request-failed: etcd refused to grant a lease.</summary>
    internal static VfioException LeaseRefused(string key, string error) =>
        new(ErrorCode.FleetStoreRequestFailed, $"granting a lease for {key}: etcd refused: {error}.") { Value = error };

    /// <summary>fleet-store-options-invalid: a host name that cannot be part of a key.</summary>
    internal static VfioException HostNameInvalid(string host) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"the host name '{host}' cannot be part of a key: it holds '/' or a control character.") { Value = host };

    /// <summary>fleet-store-options-invalid: one part of an endpoint list is not an endpoint.</summary>
    internal static VfioException EndpointInvalid(string part) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"'{part}' is not an etcd endpoint.")
        {
            Value = part,
            Expected = "http://host:port or https://host:port",
        };

    /// <summary>fleet-store-options-invalid: no endpoint; <paramref name="given"/> is the list text when one was parsed.</summary>
    internal static VfioException NoEndpoint(string? given = null) =>
        new(ErrorCode.FleetStoreOptionsInvalid, "no etcd endpoint was given.")
        {
            Value = given,
            Expected = given is null ? null : "host:port[,host:port...]",
        };

    /// <summary>fleet-store-options-invalid: a key prefix that is not absolute or holds a control character.</summary>
    internal static VfioException PrefixInvalid(string prefix) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"the key prefix '{prefix}' must start with '/' and hold no control character.") { Value = prefix };

    /// <summary>fleet-store-options-invalid: a time limit that is not positive.</summary>
    internal static VfioException TimeoutNotPositive(TimeSpan timeout) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"the timeout {timeout} must be positive.") { Value = timeout.ToString() };

    /// <summary>fleet-store-options-invalid: a lease TTL outside 2 s to 1 day.</summary>
    internal static VfioException LeaseTtlOutOfRange(TimeSpan ttl) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"the lease TTL {ttl.TotalSeconds:0.###}s is out of range.")
        {
            Value = ttl.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            Expected = "2 to 86400 seconds",
        };

    /// <summary>fleet-store-options-invalid: a re-publish interval that is not positive.</summary>
    internal static VfioException IntervalNotPositive(TimeSpan interval) =>
        new(ErrorCode.FleetStoreOptionsInvalid, $"the re-publish interval {interval.TotalSeconds:0.###}s must be positive.") { Value = interval.ToString() };

    /// <summary>fleet-store-tls-invalid: the TLS files could not be read.</summary>
    internal static VfioException TlsUnreadable(string ca, Exception e) =>
        new(ErrorCode.FleetStoreTlsInvalid, $"the TLS files could not be read: {e.Message}", e) { Value = ca };

    /// <summary>fleet-store-tls-invalid: a CA file without a PEM certificate.</summary>
    internal static VfioException CaHoldsNoCertificate(string ca) =>
        new(ErrorCode.FleetStoreTlsInvalid, $"the CA certificate file '{ca}' holds no PEM certificate.") { Value = ca };

    /// <summary>fleet-store-tls-invalid: a client certificate without its key, or a key without its certificate.</summary>
    internal static VfioException ClientPairIncomplete() =>
        new(ErrorCode.FleetStoreTlsInvalid, "a client certificate needs its key and a key its certificate: give both --etcd-cert and --etcd-key.");

    /// <summary>fleet-store-tls-invalid: a TLS file that does not exist.</summary>
    internal static VfioException TlsFileMissing(string what, string file) =>
        new(ErrorCode.FleetStoreTlsInvalid, $"the {what} file '{file}' does not exist.") { Value = file };

    /// <summary>fleet-store-tls-invalid: an https endpoint without a CA.</summary>
    internal static VfioException HttpsWithoutCa(Uri endpoint) =>
        new(ErrorCode.FleetStoreTlsInvalid, $"the endpoint {endpoint} is https but no CA certificate was given (--etcd-cacert): the server could not be authenticated.") { Value = endpoint.ToString() };

    /// <summary>fleet-store-tls-invalid: TLS files given for a plain http endpoint.</summary>
    internal static VfioException TlsOverHttp(Uri endpoint) =>
        new(ErrorCode.FleetStoreTlsInvalid, $"TLS files were given but the endpoint {endpoint} is plain http: use https:// so they are used.") { Value = endpoint.ToString() };
}
