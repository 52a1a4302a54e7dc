using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Stop;

internal static class StopCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID of the running device");

    public static Command Create(CliApplication app)
    {
        Command command = new("stop", "Stop (remove) a running device (mdevctl stop); its definition, if any, stays");
        UuidOption.Required = true;
        command.Options.Add(UuidOption);
        command.SetAction((ParseResult r) => app.Get<StopCommand>().Execute(r.GetValue(UuidOption)!.Value));
        return command;
    }
}
