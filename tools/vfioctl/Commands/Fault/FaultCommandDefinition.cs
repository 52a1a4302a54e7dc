using System.CommandLine;
using Mdev.Manager;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Fault;

internal static class FaultCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A device on an emulated host");
    public static readonly Option<long?> CorruptOption = new("--corrupt-byte") { Description = "Flip a bit in the saved device data at this byte offset" };
    public static readonly Option<long?> CutOption = new("--cut-after") { Description = "End the device's data stream after this many bytes" };
    public static readonly Option<string?> RefuseOption = new("--refuse-arc") { Description = "Refuse a state change, e.g. RUNNING->STOP" };
    public static readonly Option<bool> ClearOption = new("--clear") { Description = "Remove every fault from the device" };

    public static Command Create(CliApplication app)
    {
        Command command = new("fault", "Emulated hosts only: inject a fault into a device to watch the rollback rules work");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(CorruptOption);
        command.Options.Add(CutOption);
        command.Options.Add(RefuseOption);
        command.Options.Add(ClearOption);
        command.Validators.Add(r =>
        {
            int given = (r.GetResult(CorruptOption) is null ? 0 : 1) + (r.GetResult(CutOption) is null ? 0 : 1) + (r.GetResult(RefuseOption) is null ? 0 : 1) + (r.GetResult(ClearOption) is null ? 0 : 1);
            if (given != 1)
            {
                r.AddError("give exactly one of --corrupt-byte, --cut-after, --refuse-arc or --clear.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<FaultCommand>().Execute(r.GetValue(UuidArgument),
            new FaultRequest(r.GetValue(CorruptOption), r.GetValue(CutOption), r.GetValue(RefuseOption), r.GetValue(ClearOption))));
        return command;
    }
}

/// <summary>One fault to set, or a clear.</summary>
internal sealed record FaultRequest(long? CorruptByte, long? CutAfter, string? RefuseArc, bool Clear);
