using System.CommandLine;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Demo;

internal static class DemoCommandDefinition
{
    public static readonly Option<string?> RootOption = CliFiles.PathOption(new Option<string?>("--root")
    {
        Description = "Build the two emulated hosts here and keep them (default: a temporary directory, removed afterwards)",
    });

    public static Command Create(CliApplication app)
    {
        Command command = new("demo", "End-to-end story on two emulated hosts: discover, create pinned devices, check, migrate, verify, and a fault rolled back");
        command.Options.Add(RootOption);
        command.SetAction((ParseResult r, CancellationToken ct) => app.Get<DemoCommand>().ExecuteAsync(r.GetValue(RootOption), ct));
        return command;
    }
}
