using System.CommandLine;
using Mdev.Manager;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Resume;

internal static class ResumeCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A source that 'save' left stopped");

    public static Command Create(CliApplication app)
    {
        Command command = new("resume", "Run a saved (stopped) source again, e.g. after the load on the other host failed");
        command.Arguments.Add(UuidArgument);
        command.SetAction((ParseResult r) => app.Get<ResumeCommand>().Execute(r.GetValue(UuidArgument)));
        return command;
    }
}
