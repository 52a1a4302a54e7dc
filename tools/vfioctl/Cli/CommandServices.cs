using Microsoft.Extensions.DependencyInjection;
using Vfioctl.Commands.Capabilities;
using Vfioctl.Commands.Check;
using Vfioctl.Commands.Find;
using Vfioctl.Commands.Models;
using Vfioctl.Commands.Types;
using Vfioctl.Host;

namespace Vfioctl.Cli;

/// <summary>Registers every verb's behaviour class; the manager's services come from AddMdevManager.</summary>
internal static class CommandServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<HostFactory>();
        services.AddTransient<TypesCommand>();
        services.AddTransient<ModelsCommand>();
        services.AddTransient<CapabilitiesCommand>();
        services.AddTransient<CheckCommand>();
        services.AddTransient<FindCommand>();
    }
}
