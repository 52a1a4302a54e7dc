using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Load;

internal static class LoadCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "The destination device (created with --parent/--type when it does not exist)");
    public static readonly Option<string> InputOption = CliFiles.PathOption(new Option<string>("--input", "-i") { Description = "Where the migration stream comes from: a file, or - for stdin", DefaultValueFactory = _ => "-" });
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Create the destination under this parent");
    public static readonly Option<MdevTypeName?> TypeOption = CommonOptions.Type("Create the destination with this type, in the stream's configuration");

    public static readonly Option<bool> JsonOption = CommonOptions.JsonProgress();
    public static readonly Option<int> ChannelsOption = PreCopyOptions.ChannelsOption("Read a save of N channels: -i FILE reads FILE, FILE.1 .. FILE.N-1, reassembled in order; every channel's header is checked before the device moves");

    public static readonly Option<bool> ForceOption = CommonOptions.Force("Load into a destination that has run since it was created (E6041 destination-has-run: its live state is overwritten), logged on stderr and in the migration log");

    public static Command Create(CliApplication app)
    {
        Command command = new("load", "Destination half of a cross-host migration: load a stream into a device and start it; on failure the device is reset (or removed if load created it)");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(InputOption);
        command.Options.Add(ParentOption);
        command.Options.Add(TypeOption);
        command.Options.Add(ForceOption);
        command.Options.Add(ChannelsOption);
        command.Options.Add(JsonOption);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(ParentOption) is null) != (r.GetResult(TypeOption) is null))
            {
                r.AddError("--parent and --type go together (to create the destination).");
            }
        });
        command.SetAction((ParseResult r, CancellationToken ct) => app.Get<LoadCommand>().ExecuteAsync(
            r.GetValue(UuidArgument), r.GetValue(InputOption)!, r.GetValue(ParentOption), r.GetValue(TypeOption), ct, r.GetValue(ForceOption), r.GetValue(JsonOption), r.GetValue(ChannelsOption)));
        return command;
    }
}
