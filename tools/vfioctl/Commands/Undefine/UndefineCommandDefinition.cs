using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Undefine;

internal static class UndefineCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID of the definition to remove");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Parent, when the UUID is defined under several");

    public static Command Create(CliApplication app)
    {
        Command command = new("undefine", "Remove a persistent definition (mdevctl undefine); a running device keeps running");
        UuidOption.Required = true;
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.SetAction((ParseResult r) => app.Get<UndefineCommand>().Execute(r.GetValue(UuidOption)!.Value, r.GetValue(ParentOption)));
        return command;
    }
}
