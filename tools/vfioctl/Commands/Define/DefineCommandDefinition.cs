using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Define;

internal static class DefineCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID of the device (a new one is generated and printed when omitted)");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Parent device, e.g. 0000:00:03.0");
    public static readonly Option<MdevTypeName?> TypeOption = CommonOptions.Type("mdev type, e.g. nic-v3");
    public static readonly Option<bool> AutoOption = CommonOptions.Auto();
    public static readonly Option<string?> ConfigOption = CommonOptions.Config();

    public static Command Create(CliApplication app)
    {
        Command command = new("define", "Define a persistent device (mdevctl define), its migration configuration pinned; with only --uuid, define a running device as it runs");
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.Options.Add(TypeOption);
        command.Options.Add(AutoOption);
        command.Options.Add(ConfigOption);
        command.Validators.Add(r =>
        {
            bool fromRunning = r.GetResult(UuidOption) is not null && r.GetResult(ParentOption) is null && r.GetResult(TypeOption) is null;
            if (!fromRunning && (r.GetResult(ParentOption) is null || r.GetResult(TypeOption) is null))
            {
                r.AddError("define needs --parent and --type (or only --uuid of a running device).");
            }
        });
        command.SetAction((ParseResult r) => app.Get<DefineCommand>().Execute(
            r.GetValue(UuidOption), r.GetValue(ParentOption), r.GetValue(TypeOption), r.GetValue(AutoOption), r.GetValue(ConfigOption)));
        return command;
    }
}
