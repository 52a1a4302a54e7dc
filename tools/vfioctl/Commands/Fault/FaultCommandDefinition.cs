using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Fault;

internal static class FaultCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A device on an emulated host");
    public static readonly Option<long?> CorruptOption = new("--corrupt-byte") { Description = "Flip a bit in the saved device data at this byte offset" };
    public static readonly Option<long?> CutOption = new("--cut-after") { Description = "End the device's data stream after this many bytes" };
    public static readonly Option<string?> RefuseOption = new("--refuse-arc") { Description = "Refuse a state change, e.g. RUNNING->STOP" };
    public static readonly Option<string?> ErrorArcOption = new("--error-arc") { Description = "Fail a state change with the device going to ERROR (only a reset leaves it), e.g. STOP->STOP_COPY" };
    public static readonly Option<string[]> DriverBugOption = new("--driver-bug")
    {
        Description = "Give the device's emulated driver a deliberate contract violation for 'vfioctl conform' to catch (repeatable): " + string.Join(", ", Vfio.Emulation.EmulatedDriverBugNames.All),
        AllowMultipleArgumentsPerToken = false,
    };
    public static readonly Option<bool> ClearOption = new("--clear") { Description = "Remove every fault from the device" };

    public static Command Create(CliApplication app)
    {
        Command command = new("fault", "Emulated hosts only: inject a fault into a device to watch the rollback rules work");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(CorruptOption);
        command.Options.Add(CutOption);
        command.Options.Add(RefuseOption);
        command.Options.Add(ErrorArcOption);
        command.Options.Add(DriverBugOption);
        command.Options.Add(ClearOption);
        command.Validators.Add(r =>
        {
            int given = (r.GetResult(CorruptOption) is null ? 0 : 1) + (r.GetResult(CutOption) is null ? 0 : 1) + (r.GetResult(RefuseOption) is null ? 0 : 1) + (r.GetResult(ErrorArcOption) is null ? 0 : 1) + (r.GetResult(DriverBugOption) is null ? 0 : 1) + (r.GetResult(ClearOption) is null ? 0 : 1);
            if (given != 1)
            {
                r.AddError("give exactly one of --corrupt-byte, --cut-after, --refuse-arc, --error-arc, --driver-bug or --clear.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<FaultCommand>().Execute(r.GetValue(UuidArgument),
            new FaultRequest(r.GetValue(CorruptOption), r.GetValue(CutOption), r.GetValue(RefuseOption), r.GetValue(ClearOption)) { ErrorArc = r.GetValue(ErrorArcOption), DriverBugs = r.GetValue(DriverBugOption) ?? [] }));
        return command;
    }
}

/// <summary>One fault to set, or a clear.</summary>
internal sealed record FaultRequest(long? CorruptByte, long? CutAfter, string? RefuseArc, bool Clear)
{
    /// <summary>The arc that fails with the device going to ERROR.</summary>
    public string? ErrorArc { get; init; }

    /// <summary>Deliberate driver bugs by name (EmulatedDriverBugNames).</summary>
    public IReadOnlyList<string> DriverBugs { get; init; } = [];
}
