using System.CommandLine;
using Vfio.Fleet.Etcd;

namespace Vfio.Ctl.Cli;

/// <summary>
/// The fleet store options <c>publish</c> and <c>find</c> share: etcd endpoints, the key prefix, TLS files and the
/// time limit per request. The TLS files are checked (and refused with E6061) before any connection.
/// </summary>
internal sealed class FleetStoreOptions
{
    public Option<string?> Etcd { get; } = new("--etcd") { Description = "etcd client endpoints, comma-separated (http://host:port or https://host:port; host:port is http)" };

    public Option<string> Prefix { get; } = new("--prefix") { Description = "Key prefix: host documents are at <prefix>/hosts/<host name>", DefaultValueFactory = _ => EtcdStoreOptions.DefaultPrefix };

    public Option<FileInfo?> CaCert { get; } = CliFiles.PathOption(new Option<FileInfo?>("--etcd-cacert") { Description = "PEM file of the CA that signed the etcd servers' certificates (required for https endpoints)" });

    public Option<FileInfo?> Cert { get; } = CliFiles.PathOption(new Option<FileInfo?>("--etcd-cert") { Description = "PEM file of this client's certificate (etcd --client-cert-auth); needs --etcd-key" });

    public Option<FileInfo?> Key { get; } = CliFiles.PathOption(new Option<FileInfo?>("--etcd-key") { Description = "PEM file of this client's private key; needs --etcd-cert" });

    public Option<double> Timeout { get; } = new("--etcd-timeout") { Description = "Seconds one etcd request may take before the endpoint counts as unreachable", DefaultValueFactory = _ => 5 };

    public void AddTo(Command command)
    {
        command.Options.Add(Etcd);
        command.Options.Add(Prefix);
        command.Options.Add(CaCert);
        command.Options.Add(Cert);
        command.Options.Add(Key);
        command.Options.Add(Timeout);
        Timeout.Validators.Add(r =>
        {
            double s = r.GetValueOrDefault<double>();
            if (!(s > 0 && s <= 3600))
            {
                r.AddError("--etcd-timeout must be more than 0 and at most 3600 seconds.");
            }
        });
    }

    /// <summary>The store options of a parsed command line with --etcd given (endpoints and TLS files checked).</summary>
    public EtcdStoreOptions Read(ParseResult r)
    {
        var options = new EtcdStoreOptions
        {
            Endpoints = EtcdStoreOptions.ParseEndpoints(r.GetValue(Etcd) ?? ""),
            Prefix = r.GetValue(Prefix)!,
            CaCertificateFile = r.GetValue(CaCert)?.FullName,
            ClientCertificateFile = r.GetValue(Cert)?.FullName,
            ClientKeyFile = r.GetValue(Key)?.FullName,
            Timeout = TimeSpan.FromSeconds(r.GetValue(Timeout)),
        };
        options.Validate();
        return options;
    }
}
