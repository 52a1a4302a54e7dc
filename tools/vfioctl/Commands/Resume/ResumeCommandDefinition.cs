using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Resume;

internal static class ResumeCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A source that 'save' left stopped");
    public static readonly Option<bool> ForceOption = new("--force") { Description = "Resume a source whose state moved away (its whole stream was saved, its destination ran, or abort retired it): only once no other device runs that state; logged" };

    public static Command Create(CliApplication app)
    {
        Command command = new("resume", "Run a saved (stopped) source again, e.g. after the load on the other host failed");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(ForceOption);
        command.SetAction((ParseResult r) => app.Get<ResumeCommand>().Execute(r.GetValue(UuidArgument), r.GetValue(ForceOption)));
        return command;
    }
}
