using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Conform;

internal static class ConformCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "The device to test; nothing else may have it open");

    public static readonly Option<bool> JsonOption = new("--json") { Description = "Print one JSON document with every check instead of the table" };

    public static readonly Option<string?> StreamsOption = CliFiles.PathOption(new Option<string?>("--streams")
    {
        Description = "A directory of streams saved by older builds (vfioctl save output); those of the device's model and configuration must still load",
    });

    public static Command Create(CliApplication app)
    {
        Command command = new("conform",
            "Driver conformance kit: check a device's migration driver against the kernel's contract (every arc of its flags, data_fd rules, " +
            "PRECOPY_INFO, MIG_DATA_SIZE, refused arcs, refused loads, reset). DESTRUCTIVE to guest-visible state: it stops the device, " +
            "loads garbage into it and resets it; it reloads the state saved at its start when the device allows. Refuses a device open elsewhere. " +
            "Exit 0 when every check passes, 5 (E4011) when any fails (docs/conformance.md)");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(JsonOption);
        command.Options.Add(StreamsOption);
        command.SetAction((ParseResult r) => app.Get<ConformCommand>().Execute(r.GetValue(UuidArgument), r.GetValue(JsonOption), r.GetValue(StreamsOption)));
        return command;
    }
}
