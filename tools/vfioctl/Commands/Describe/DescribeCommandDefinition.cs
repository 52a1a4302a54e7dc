using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Describe;

internal static class DescribeCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "The device");
    public static readonly Option<bool> OpenOption = new("--open")
    {
        Description = "Open the device to read its migration protocol and state even if nothing has opened it yet (this freezes its parameters)",
    };

    public static readonly Option<bool> StateOption = new("--state")
    {
        Description = "Emulated SDK devices: also print the device state field by field, decoded with the schema of its saved state (opens the device)",
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Write the device document (docs/schemas/device.schema.json) that 'check --device' and 'start --like' read: model, configuration, every parameter, parent, type, and the protocol, features and stop-copy estimate when the device can be read",
    };

    public static Command Create(CliApplication app)
    {
        Command command = new("describe", "Show a device's model, full configuration, migration protocol (v1 region or v2 feature) with its flags, and state");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(OpenOption);
        command.Options.Add(StateOption);
        command.Options.Add(JsonOption);
        command.Validators.Add(r =>
        {
            if (r.GetResult(JsonOption) is not null && r.GetResult(StateOption) is not null)
            {
                r.AddError("--state prints a table; it does not go with --json.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<DescribeCommand>().Execute(r.GetValue(UuidArgument), r.GetValue(OpenOption), r.GetValue(StateOption), r.GetValue(JsonOption)));
        return command;
    }
}
