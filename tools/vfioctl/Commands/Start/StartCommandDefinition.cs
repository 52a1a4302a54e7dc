using System.CommandLine;
using Mdev.Manager;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Start;

internal static class StartCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID: a defined device, or the UUID for a new transient one");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Parent device, e.g. 0000:00:03.0");
    public static readonly Option<MdevTypeName?> TypeOption = CommonOptions.Type("mdev type, e.g. nic-v3 (a transient device)");
    public static readonly Option<string?> ConfigOption = CommonOptions.Config();

    public static Command Create(CliApplication app)
    {
        Command command = new("start", "Create and start a device (mdevctl start): a defined one by --uuid, or a transient one with --parent and --type");
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.Options.Add(TypeOption);
        command.Options.Add(ConfigOption);
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
            if (!transient && r.GetResult(ConfigOption) is not null)
            {
                r.AddError("--config applies to a transient device; change a definition with 'vfioctl modify --config'.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<StartCommand>().Execute(
            r.GetValue(UuidOption), r.GetValue(ParentOption), r.GetValue(TypeOption), r.GetValue(ConfigOption)));
        return command;
    }
}
