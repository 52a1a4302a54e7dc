using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Start;

internal static class StartCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID: a defined device, or the UUID for a new transient one");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Parent device, e.g. 0000:00:03.0");
    public static readonly Option<MdevTypeName?> TypeOption = CommonOptions.Type("mdev type, e.g. nic-v3 (a transient device)");
    public static readonly Option<string?> ConfigOption = CommonOptions.Config();
    public static readonly Option<string?> LikeOption = CliFiles.PathOption(new Option<string?>("--like")
    {
        HelpName = "file",
        Description = "Create a transient device (with --parent and --type) running exactly a device document's model and configuration ('vfioctl describe <uuid> --json'; - for stdin), after the same check as 'check --device'",
    });
    public static readonly Option<bool> ForceOption = CommonOptions.Force("With --like: proceed past a configuration refusal of the check (E3002-E3005; never a model mismatch), logged on stderr and in the migration log");

    public static Command Create(CliApplication app)
    {
        Command command = new("start", "Create and start a device (mdevctl start): a defined one by --uuid, or a transient one with --parent and --type");
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.Options.Add(TypeOption);
        command.Options.Add(ConfigOption);
        command.Options.Add(LikeOption);
        command.Options.Add(ForceOption);
        command.Validators.Add(r =>
        {
            bool transient = r.GetResult(TypeOption) is not null;
            if (transient && r.GetResult(ParentOption) is null)
            {
                r.AddError("a transient device (--type) needs --parent.");
            }
            if (!transient && r.GetResult(UuidOption) is null)
            {
                r.AddError("start needs --uuid of a defined device, or --parent and --type.");
            }
            if (r.GetResult(LikeOption) is not null && r.GetResult(ConfigOption) is not null)
            {
                r.AddError("--like takes the configuration from the document; it does not go with --config.");
            }
            if (r.GetResult(LikeOption) is not null && !transient)
            {
                r.AddError("--like creates a transient device: name --parent and --type.");
            }
            if (r.GetResult(ForceOption) is not null && r.GetResult(LikeOption) is null)
            {
                r.AddError("--force applies to --like (start with --config pins exactly what it is given).");
            }
            if (!transient && r.GetResult(ConfigOption) is not null)
            {
                r.AddError("--config applies to a transient device; change a definition with 'vfioctl modify --config'.");
            }
        });
        command.SetAction((ParseResult r) => r.GetValue(LikeOption) is string like
            ? app.Get<StartCommand>().ExecuteLike(like, r.GetValue(UuidOption), r.GetValue(ParentOption)!.Value, r.GetValue(TypeOption)!.Value, r.GetValue(ForceOption))
            : app.Get<StartCommand>().Execute(r.GetValue(UuidOption), r.GetValue(ParentOption), r.GetValue(TypeOption), r.GetValue(ConfigOption)));
        return command;
    }
}
