using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Models;

internal static class ModelsCommandDefinition
{
    public static Command Create(CliApplication app)
    {
        Command command = new("models", "List the device models this host runs: parameters with their ranges, off and init values, and versions");
        Option<bool> json = CommonOptions.Json("every model description (as in migration_info.json) with the types that run it");
        command.Options.Add(json);
        command.SetAction((ParseResult r) => app.Get<ModelsCommand>().Execute(r.GetValue(json)));
        return command;
    }
}
