using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Publish;

internal static class PublishCommandDefinition
{
    public static readonly Option<double> TtlOption = new("--ttl") { Description = "Lease time to live in seconds: a host that stops publishing drops out this long after its last keep-alive", DefaultValueFactory = _ => 30 };
    public static readonly Option<double> IntervalOption = new("--interval") { Description = "Seconds between re-reads of the free instances (the document is written again when it changed)", DefaultValueFactory = _ => 10 };
    public static readonly Option<bool> OnceOption = new("--once") { Description = "Publish once and exit, leaving the lease to expire after --ttl" };
    public static readonly Option<string?> HostNameOption = new("--host-name") { Description = "Name the document and key give this host (default: the machine name)" };

    public static Command Create(CliApplication app)
    {
        var store = new FleetStoreOptions();
        Command command = new("publish", "Publish this host's capability document to etcd under a lease kept alive until SIGINT/SIGTERM (see docs/operator-guide.md, \"A fleet in etcd\")");
        store.AddTo(command);
        command.Options.Add(TtlOption);
        command.Options.Add(IntervalOption);
        command.Options.Add(OnceOption);
        command.Options.Add(HostNameOption);
        command.Validators.Add(r =>
        {
            if (r.GetResult(store.Etcd) is null)
            {
                r.AddError("publish needs --etcd ENDPOINTS.");
            }
        });
        TtlOption.Validators.Add(r =>
        {
            double s = r.GetValueOrDefault<double>();
            if (!(s >= 2 && s <= 86400))
            {
                r.AddError("--ttl must be 2 to 86400 seconds.");
            }
        });
        IntervalOption.Validators.Add(r =>
        {
            double s = r.GetValueOrDefault<double>();
            if (!(s >= 0.1 && s <= 86400))
            {
                r.AddError("--interval must be 0.1 to 86400 seconds.");
            }
        });
        command.SetAction((ParseResult r, CancellationToken ct) => app.Get<PublishCommand>().ExecuteAsync(
            store.Read(r), r.GetValue(HostNameOption) ?? Environment.MachineName, TimeSpan.FromSeconds(r.GetValue(TtlOption)),
            TimeSpan.FromSeconds(r.GetValue(IntervalOption)), r.GetValue(OnceOption), ct));
        return command;
    }
}
