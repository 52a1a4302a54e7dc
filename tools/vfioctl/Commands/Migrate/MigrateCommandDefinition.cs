using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Migrate;

internal static class MigrateCommandDefinition
{
    public static readonly Argument<MdevUuid> SourceArgument = CommonOptions.UuidArgument("src-uuid", "The running source device");
    public static readonly Option<MdevUuid?> ToOption = new("--to") { Description = "Destination: an existing (stopped, never run) device", CustomParser = CommonOptions.ParseUuidValue };
    public static readonly Option<TypeAddress?> ToTypeOption = new("--to-type") { Description = "Destination: create a device of <parent>/<type> with the source's configuration", CustomParser = TypeAddress.Parse };
    public static readonly Option<MdevUuid?> ToUuidOption = new("--to-uuid") { Description = "UUID of the device --to-type creates (default: a new one)", CustomParser = CommonOptions.ParseUuidValue };
    public static readonly Option<string?> ToRootOption = CliFiles.PathOption(new Option<string?>("--to-root") { Description = "The destination is on the emulated host in this directory" });
    public static readonly PreCopyOptions PreCopy = new();
    public static readonly Option<bool> JsonOption = CommonOptions.JsonProgress();
    public static readonly Option<bool> ForceOption = CommonOptions.Force("Proceed past a configuration refusal of the check (E3002-E3005; never a model mismatch or a bad stream) or a --to destination that has run (E6041), logged on stderr and in the migration log");

    public static Command Create(CliApplication app)
    {
        Command command = new("migrate", "Check, then move a running device's state to a destination; on success only the destination runs, on failure only the source");
        command.Arguments.Add(SourceArgument);
        command.Options.Add(ToOption);
        command.Options.Add(ToTypeOption);
        command.Options.Add(ToUuidOption);
        command.Options.Add(ToRootOption);
        PreCopy.AddTo(command);
        command.Options.Add(ForceOption);
        command.Options.Add(JsonOption);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(ToOption) is null) == (r.GetResult(ToTypeOption) is null))
            {
                r.AddError("name the destination with exactly one of --to <uuid> or --to-type <parent>/<type>.");
            }
            if (r.GetResult(ToUuidOption) is not null && r.GetResult(ToTypeOption) is null)
            {
                r.AddError("--to-uuid names the device --to-type creates.");
            }
        });
        command.SetAction((ParseResult r, CancellationToken ct) => app.Get<MigrateCommand>().ExecuteAsync(
            r.GetValue(SourceArgument),
            new MigrateTarget(r.GetValue(ToOption), r.GetValue(ToTypeOption), r.GetValue(ToUuidOption), r.GetValue(ToRootOption)),
            PreCopy.Read(r, r.GetValue(ForceOption)), ct, r.GetValue(JsonOption)));
        return command;
    }
}

/// <summary>Where <c>migrate</c> sends the device.</summary>
internal sealed record MigrateTarget(MdevUuid? Device, TypeAddress? Type, MdevUuid? NewUuid, string? Root);
