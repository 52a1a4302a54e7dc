using Vfio.Manager.Definitions;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Sysfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vfio.Manager.Options;

/// <summary>Registers the manager's services.</summary>
public static class MdevManagerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MdevManagerOptions"/> and <see cref="MigrationOptions"/> with validation at start, the <see cref="ISysfs"/> seam (real or
    /// emulated, by <see cref="MdevManagerOptions.Emulated"/>), its <see cref="SysfsLayout"/>, <see cref="MdevHost"/>, the <see cref="DefinitionStore"/> and <see cref="MdevDefinitions"/>.
    /// </summary>
    /// <param name="services">The collection.</param>
    /// <param name="configure">Sets options in code, after any configuration binding the caller added.</param>
    /// <returns>The options builder, for binding (e.g. <c>BindConfiguration("Mdev")</c>).</returns>
    /// <remarks>A host runs the validation at start through <see cref="IStartupValidator"/>; a program without the
    /// Generic Host must call <c>provider.GetRequiredService&lt;IStartupValidator&gt;().Validate()</c> once after building
    /// the provider, which throws <see cref="OptionsValidationException"/> listing every invalid option. A program that
    /// builds the options itself and registers them after this call as a ready <see cref="IOptions{TOptions}"/> instance
    /// (which resolving them then prefers) checks them with <see cref="MdevManagerOptionsValidation.ThrowIfInvalid"/>.</remarks>
    public static OptionsBuilder<MdevManagerOptions> AddMdevManager(this IServiceCollection services, Action<MdevManagerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<MdevManagerOptions> options = services.AddOptionsWithValidateOnStart<MdevManagerOptions, MdevManagerOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MdevManagerOptions>, MdevManagerOptionsCrossValidator>());
        // The orchestrator's options, for a service that binds them (e.g. BindConfiguration("Migration")): checked at start too.
        services.AddOptions<MigrationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MigrationOptions>, MigrationOptionsValidator>());
        services.TryAddSingleton(provider =>
        {
            MdevManagerOptions o = provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value;
            return new SysfsLayout(o.SysfsRoot, o.ManifestDir);
        });
        services.TryAddSingleton<ISysfs>(provider =>
        {
            MdevManagerOptions o = provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value;
            SysfsLayout layout = provider.GetRequiredService<SysfsLayout>();
            return o.Emulated ? new EmulatedSysfs(layout, o.LockTimeout) : new RealSysfs(layout);
        });
        services.TryAddSingleton<MdevHost>();
        services.TryAddSingleton(provider =>
        {
            MdevManagerOptions o = provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value;
            return new DefinitionStore(o.ConfigRoot, o.LockTimeout);
        });
        services.TryAddSingleton<MdevDefinitions>();
        return options;
    }
}
