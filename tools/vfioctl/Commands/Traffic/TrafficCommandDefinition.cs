using System.CommandLine;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Traffic;

internal static class TrafficCommandDefinition
{
    public static readonly Argument<MdevUuid> UuidArgument = CommonOptions.UuidArgument("uuid", "A device on an emulated host whose code implements the lab contract (ILabTraffic), as the sample NIC does");
    public static readonly Option<int> PacketsOption = new("--packets", "-n") { Description = "How many packets to simulate", DefaultValueFactory = _ => 1000 };
    public static readonly Option<int> SeedOption = new("--seed") { Description = "Seed of the deterministic traffic", DefaultValueFactory = _ => 1 };

    public static Command Create(CliApplication app)
    {
        Command command = new("traffic", "Emulated hosts only: run simulated traffic through a device (the lab contract, ILabTraffic) so it has state worth migrating");
        command.Arguments.Add(UuidArgument);
        command.Options.Add(PacketsOption);
        command.Options.Add(SeedOption);
        PacketsOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--packets cannot be negative.");
            }
        });
        command.SetAction((ParseResult r) => app.Get<TrafficCommand>().Execute(r.GetValue(UuidArgument), r.GetValue(PacketsOption), r.GetValue(SeedOption)));
        return command;
    }
}
