using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Check;

internal static class CheckCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("Source: a device on this host");
    public static readonly Option<string?> DeviceOption = CliFiles.PathOption(new Option<string?>("--device", "-d") { Description = "Source: a device document (JSON: model, configuration; 'vfioctl describe <uuid> --json' writes it), or - for stdin" });
    public static readonly Option<MdevUuid?> ToOption = new("--to") { Description = "Destination: an existing device", CustomParser = r => CommonOptions.ParseUuidValue(r) };
    public static readonly Option<TypeAddress?> ToTypeOption = new("--to-type") { Description = "Destination: a type, <parent>/<type>", CustomParser = TypeAddress.Parse };
    public static readonly Option<string?> ToRootOption = CliFiles.PathOption(new Option<string?>("--to-root") { Description = "The destination is on the emulated host in this directory" });
    public static readonly Option<bool> JsonOption = CommonOptions.Json("the source, every destination's verdict and every problem (code, parameter, value, expected)");
    public static readonly Option<FileInfo?> ToHostOption = CliFiles.PathOption(new Option<FileInfo?>("--to-host") { Description = "Destination: a host capability document (vfioctl capabilities)" });

    public static Command Create(CliApplication app)
    {
        Command command = new("check", "Check, without moving anything, whether a device can migrate to a destination; lists every problem with its code (exit 0 compatible, 2 not)");
        command.Options.Add(UuidOption);
        command.Options.Add(DeviceOption);
        command.Options.Add(ToOption);
        command.Options.Add(ToTypeOption);
        command.Options.Add(ToRootOption);
        command.Options.Add(ToHostOption);
        command.Options.Add(JsonOption);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(UuidOption) is null) == (r.GetResult(DeviceOption) is null))
            {
                r.AddError("name the source with exactly one of --uuid or --device.");
            }
            int destinations = (r.GetResult(ToOption) is null ? 0 : 1) + (r.GetResult(ToTypeOption) is null ? 0 : 1) + (r.GetResult(ToHostOption) is null ? 0 : 1);
            if (destinations != 1)
            {
                r.AddError("name the destination with exactly one of --to, --to-type or --to-host.");
            }
            if (r.GetResult(ToRootOption) is not null && r.GetResult(ToHostOption) is not null)
            {
                r.AddError("--to-root applies to --to and --to-type, not to --to-host.");
            }
        });
        command.SetAction((ParseResult r) =>
        {
            var source = new CheckSource(r.GetValue(UuidOption), r.GetValue(DeviceOption));
            var destination = new CheckDestination(r.GetValue(ToOption), r.GetValue(ToTypeOption), r.GetValue(ToRootOption), r.GetValue(ToHostOption)?.FullName);
            return app.Get<CheckCommand>().Execute(source, destination, r.GetValue(JsonOption));
        });
        return command;
    }
}

/// <summary>Exactly one of a device on this host or a device document file.</summary>
internal sealed record CheckSource(MdevUuid? Uuid, string? DocumentPath);

/// <summary>Exactly one of a device, a type (optionally on another emulated host) or a host capability document.</summary>
internal sealed record CheckDestination(MdevUuid? Device, TypeAddress? Type, string? Root, string? HostDocumentPath);
