using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Find;

internal static class FindCommandDefinition
{
    public static readonly Argument<DirectoryInfo?> FleetArgument = CliFiles.PathArgument(new Argument<DirectoryInfo?>("fleet-dir") { Description = "A folder of host capability documents (*.json, one per host, from 'vfioctl capabilities'); or --etcd", Arity = ArgumentArity.ZeroOrOne });
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("The device to place: a device on this host");
    public static readonly Option<FileInfo?> DeviceOption = CliFiles.PathOption(new Option<FileInfo?>("--device", "-d") { Description = "The device to place: a device document (JSON)" });
    public static readonly Option<bool> JsonOption = CommonOptions.Json("the candidates (host, parent, type, free instances), best first");
    public static readonly Option<int> MaxOption = new("--max") { Description = "Print at most this many candidates", DefaultValueFactory = _ => 20 };

    public static Command Create(CliApplication app)
    {
        var store = new FleetStoreOptions();
        Command command = new("find", "Find the hosts (from their capability documents, in a folder or in etcd) that can take a device, best first (exit 2 when none can); answers are advisory, the destination checks again");
        command.Arguments.Add(FleetArgument);
        command.Options.Add(UuidOption);
        command.Options.Add(DeviceOption);
        command.Options.Add(MaxOption);
        command.Options.Add(JsonOption);
        store.AddTo(command);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(UuidOption) is null) == (r.GetResult(DeviceOption) is null))
            {
                r.AddError("name the device with exactly one of --uuid or --device.");
            }
            // Tokens, not the value: converting a bad path here would throw before the path validator names it.
            if ((r.GetResult(FleetArgument) is not { Tokens.Count: > 0 }) == (r.GetResult(store.Etcd) is null))
            {
                r.AddError("name the fleet with exactly one of a folder (fleet-dir) or --etcd ENDPOINTS.");
            }
        });
        MaxOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max must be at least 1.");
            }
        });
        command.SetAction((ParseResult r, CancellationToken ct) => r.GetValue(store.Etcd) is null
            ? Task.FromResult(app.Get<FindCommand>().Execute(r.GetValue(FleetArgument)!.FullName, r.GetValue(UuidOption), r.GetValue(DeviceOption)?.FullName, r.GetValue(MaxOption), r.GetValue(JsonOption)))
            : app.Get<FindCommand>().ExecuteAsync(store.Read(r), r.GetValue(UuidOption), r.GetValue(DeviceOption)?.FullName, r.GetValue(MaxOption), ct, r.GetValue(JsonOption)));
        return command;
    }
}
