using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Demo;

internal static class DemoCommandDefinition
{
    public static readonly Option<string?> RootOption = CliFiles.PathOption(new Option<string?>("--root")
    {
        Description = "Build the two emulated hosts here and keep them (default: a temporary directory, removed afterwards)",
    });

    public static readonly Option<bool> ReplaceOption = new("--replace")
    {
        Description = "With --root: remove the demo hosts a previous run left there (host-a, host-b) and build them again",
    };

    public static Command Create(CliApplication app)
    {
        Command command = new("demo", "End-to-end story on two emulated hosts: discover, create pinned devices, check, migrate, verify, and a fault rolled back");
        command.Options.Add(RootOption);
        command.Options.Add(ReplaceOption);
        command.Validators.Add(r =>
        {
            if (r.GetResult(ReplaceOption) is not null && r.GetResult(RootOption) is null)
            {
                r.AddError("--replace applies to --root (the default temporary directory is always new).");
            }
        });
        command.SetAction((ParseResult r, CancellationToken ct) =>
            app.Get<DemoCommand>().ExecuteAsync(r.GetValue(RootOption), r.GetValue(ReplaceOption), r.GetValue(GlobalOptions.Verbose), ct));
        return command;
    }
}
