using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.List;

internal static class ListCommandDefinition
{
    public static readonly Option<bool> DefinedOption = new("--defined", "-d") { Description = "List defined devices (running or not), not only running ones" };
    public static readonly Option<bool> DumpJsonOption = CommonOptions.DumpJson();
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("Only this device");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Only devices of this parent");

    public static Command Create(CliApplication app)
    {
        Command command = new("list", "List running (or, with --defined, defined) devices with their model and pinned configuration (mdevctl list)");
        command.Options.Add(DefinedOption);
        command.Options.Add(DumpJsonOption);
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.SetAction((ParseResult r) => app.Get<ListCommand>().Execute(
            new ListFilter(r.GetValue(DefinedOption), r.GetValue(UuidOption), r.GetValue(ParentOption)), r.GetValue(DumpJsonOption)));
        return command;
    }
}

/// <summary>Which devices <c>list</c> prints.</summary>
internal sealed record ListFilter(bool Defined, MdevUuid? Uuid, ParentDeviceName? Parent);
