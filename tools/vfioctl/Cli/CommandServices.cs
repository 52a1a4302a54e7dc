using Vfio.Manager.Migration;
using Vfio.Manager.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Cli;

/// <summary>Registers every verb's behaviour class; the manager's services come from AddMdevManager.</summary>
internal static class CommandServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<MigrationHosts>();
        // The fault matrix's pause points (PauseHook) hook in here; without VFIOCTL_PAUSE_AT there is no hook.
        services.AddSingleton(provider => new MigrationOrchestrator(provider.GetService<ILogger<MigrationOrchestrator>>())
        {
            Checkpoint = PauseHook.FromEnvironment(provider.GetRequiredService<CliConsole>().Error, provider.GetRequiredService<TerminationSignals>().Cancelled),
        });
        DeviceAccess.Add(services);
        foreach (var verb in Verbs.All)
        {
            verb.Register(services);
        }
    }
}
