using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Save;

internal static class SaveCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "The running source device");
    public static readonly Option<string> OutputOption = CliFiles.PathOption(new Option<string>("--output", "-o") { Description = "Where the migration stream goes: a file, or - for stdout", DefaultValueFactory = _ => "-" });
    public static readonly PreCopyOptions PreCopy = new();
    public static readonly Option<bool> JsonOption = CommonOptions.JsonProgress();

    public static Command Create(CliApplication app)
    {
        Command command = new("save", "Source half of a cross-host migration: stream a running device's state (pre-copy, then stop-copy) and leave it stopped; then 'abort' it once loaded elsewhere, or 'resume' it");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(OutputOption);
        PreCopy.AddTo(command);
        command.Options.Add(JsonOption);
        command.SetAction((ParseResult r, CancellationToken ct) => app.Get<SaveCommand>().ExecuteAsync(
            r.GetValue(UuidArgument), r.GetValue(OutputOption)!, PreCopy.Read(r), ct, r.GetValue(JsonOption)));
        return command;
    }
}
