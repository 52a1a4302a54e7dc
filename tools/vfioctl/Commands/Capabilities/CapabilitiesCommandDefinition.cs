using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Capabilities;

internal static class CapabilitiesCommandDefinition
{
    public static readonly Option<string?> HostNameOption = new("--host-name")
    {
        Description = "Name the document gives this host (default: the machine name)",
    };

    public static Command Create(CliApplication app)
    {
        Command command = new("capabilities", "Print this host's capability document (JSON): every type's models, parameters, versions and free instances");
        command.Options.Add(HostNameOption);
        command.SetAction((ParseResult r) => app.Get<CapabilitiesCommand>().Execute(r.GetValue(HostNameOption) ?? Environment.MachineName));
        return command;
    }
}
