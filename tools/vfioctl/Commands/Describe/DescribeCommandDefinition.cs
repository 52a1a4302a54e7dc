using System.CommandLine;
using Mdev.Manager;
using Vfioctl.Cli;

namespace Vfioctl.Commands.Describe;

internal static class DescribeCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "The device");
    public static readonly Option<bool> OpenOption = new("--open")
    {
        Description = "Open the device to read its migration protocol and state even if nothing has opened it yet (this freezes its parameters)",
    };

    public static readonly Option<bool> StateOption = new("--state")
    {
        Description = "Emulated sample devices: also print the device state field by field (opens the device)",
    };

    public static Command Create(CliApplication app)
    {
        Command command = new("describe", "Show a device's model, full configuration, migration protocol (v1 region or v2 feature) with its flags, and state");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(OpenOption);
        command.Options.Add(StateOption);
        command.SetAction((ParseResult r) => app.Get<DescribeCommand>().Execute(r.GetValue(UuidArgument), r.GetValue(OpenOption), r.GetValue(StateOption)));
        return command;
    }
}
