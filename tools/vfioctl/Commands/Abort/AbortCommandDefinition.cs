using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Abort;

internal static class AbortCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A saved source whose state now runs elsewhere, or a destination left behind by a crash");

    public static Command Create(CliApplication app)
    {
        Command command = new("abort", "End a migration on a device that must not run: reset it and leave it stopped (then 'stop' removes it)");
        command.Arguments.Add(UuidArgument);
        command.SetAction((ParseResult r) => app.Get<AbortCommand>().Execute(r.GetValue(UuidArgument)));
        return command;
    }
}
