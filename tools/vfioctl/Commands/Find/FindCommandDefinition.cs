using System.CommandLine;
using Mdev.Manager;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Find;

internal static class FindCommandDefinition
{
    public static readonly Argument<DirectoryInfo> FleetArgument = CliFiles.PathArgument(new Argument<DirectoryInfo>("fleet-dir") { Description = "A folder of host capability documents (*.json, one per host, from 'vfioctl capabilities')" });
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("The device to place: a device on this host");
    public static readonly Option<FileInfo?> DeviceOption = CliFiles.PathOption(new Option<FileInfo?>("--device", "-d") { Description = "The device to place: a device document (JSON)" });
    public static readonly Option<int> MaxOption = new("--max") { Description = "Print at most this many candidates", DefaultValueFactory = _ => 20 };

    public static Command Create(CliApplication app)
    {
        Command command = new("find", "Find the hosts (from their capability documents) that can take a device, best first (exit 2 when none can)");
        command.Arguments.Add(FleetArgument);
        command.Options.Add(UuidOption);
        command.Options.Add(DeviceOption);
        command.Options.Add(MaxOption);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(UuidOption) is null) == (r.GetResult(DeviceOption) is null))
            {
                r.AddError("name the device with exactly one of --uuid or --device.");
            }
        });
        MaxOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max must be at least 1.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<FindCommand>().Execute(
            r.GetValue(FleetArgument)!.FullName, r.GetValue(UuidOption), r.GetValue(DeviceOption)?.FullName, r.GetValue(MaxOption)));
        return command;
    }
}
