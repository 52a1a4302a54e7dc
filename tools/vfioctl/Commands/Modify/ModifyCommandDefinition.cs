using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Modify;

internal static class ModifyCommandDefinition
{
    public static readonly Option<MdevUuid?> UuidOption = CommonOptions.Uuid("UUID of the definition to change");
    public static readonly Option<ParentDeviceName?> ParentOption = CommonOptions.Parent("Parent, when the UUID is defined under several");
    public static readonly Option<MdevTypeName?> TypeOption = CommonOptions.Type("New mdev type");
    public static readonly Option<bool> AutoOption = CommonOptions.Auto();
    public static readonly Option<bool> ManualOption = new("--manual", "-m") { Description = "Start the device only when asked (mdevctl's start=manual)" };
    public static readonly Option<string?> ConfigOption = CommonOptions.Config();

    public static Command Create(CliApplication app)
    {
        Command command = new("modify", "Change a persistent definition (mdevctl modify); takes effect at the next start, never on a running device");
        UuidOption.Required = true;
        command.Options.Add(UuidOption);
        command.Options.Add(ParentOption);
        command.Options.Add(TypeOption);
        command.Options.Add(AutoOption);
        command.Options.Add(ManualOption);
        command.Options.Add(ConfigOption);
        command.Validators.Add(r =>
        {
            if (r.GetValue(AutoOption) && r.GetValue(ManualOption))
            {
                r.AddError("--auto and --manual cannot both be given.");
            }
        });
        command.SetAction((ParseResult r) =>
        {
            bool? auto = r.GetValue(AutoOption) ? true : r.GetValue(ManualOption) ? false : null;
            return app.Get<ModifyCommand>().Execute(r.GetValue(UuidOption)!.Value, r.GetValue(ParentOption), r.GetValue(TypeOption), auto, r.GetValue(ConfigOption));
        });
        return command;
    }
}
