using Mdev.Manager;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vfioctl.Commands.Capabilities;
using Vfioctl.Commands.Check;
using Vfioctl.Commands.Define;
using Vfioctl.Commands.Describe;
using Vfioctl.Commands.Find;
using Vfioctl.Commands.List;
using Vfioctl.Commands.Models;
using Vfioctl.Commands.Modify;
using Vfioctl.Commands.Start;
using Vfioctl.Commands.Stop;
using Vfioctl.Commands.Traffic;
using Vfioctl.Commands.Save;
using Vfioctl.Commands.Load;
using Vfioctl.Commands.Migrate;
using Vfioctl.Commands.Resume;
using Vfioctl.Commands.Abort;
using Vfioctl.Commands.Fault;
using Vfioctl.Commands.Demo;
using Vfioctl.Commands.Types;
using Vfioctl.Commands.Undefine;
using Vfioctl.Host;

namespace Vfioctl.Cli;

/// <summary>Registers every verb's behaviour class; the manager's services come from AddMdevManager.</summary>
internal static class CommandServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<MigrationHosts>();
        // The fault matrix's pause points (PauseHook) hook in here; without VFIOCTL_PAUSE_AT there is no hook.
        services.AddSingleton(provider => new MigrationOrchestrator(provider.GetService<ILogger<MigrationOrchestrator>>())
        {
            Checkpoint = PauseHook.FromEnvironment(provider.GetRequiredService<CliConsole>().Error),
        });
        DeviceAccess.Add(services);
        services.AddTransient<TypesCommand>();
        services.AddTransient<ListCommand>();
        services.AddTransient<DefineCommand>();
        services.AddTransient<UndefineCommand>();
        services.AddTransient<ModifyCommand>();
        services.AddTransient<StartCommand>();
        services.AddTransient<StopCommand>();
        services.AddTransient<DescribeCommand>();
        services.AddTransient<ModelsCommand>();
        services.AddTransient<CapabilitiesCommand>();
        services.AddTransient<CheckCommand>();
        services.AddTransient<FindCommand>();
        services.AddTransient<DemoCommand>();
        services.AddTransient<FaultCommand>();
        services.AddTransient<AbortCommand>();
        services.AddTransient<ResumeCommand>();
        services.AddTransient<MigrateCommand>();
        services.AddTransient<LoadCommand>();
        services.AddTransient<SaveCommand>();
        services.AddTransient<TrafficCommand>();
    }
}
