using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Types;

internal static class TypesCommandDefinition
{
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("List the types of this parent only");
    public static readonly Option<bool> DumpJsonOption = CommonOptions.DumpJson();

    public static Command Create(CliApplication app)
    {
        Command command = new("types", "List the mdev types each parent device supports, with their migration models");
        command.Options.Add(ParentOption);
        command.Options.Add(DumpJsonOption);
        command.SetAction((ParseResult r) => app.Get<TypesCommand>().Execute(r.GetValue(ParentOption), r.GetValue(DumpJsonOption)));
        return command;
    }
}
