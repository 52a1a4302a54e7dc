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
    /// the provider, which throws <see cref="OptionsValidationException"/> listing every invalid option.</remarks>
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
        AddServices(services);
        return options;
    }

    /// <summary>
    /// Registers the same services as <see cref="AddMdevManager(IServiceCollection, Action{MdevManagerOptions})"/>, with
    /// <paramref name="options"/> checked now by the same rules and registered as a ready <see cref="IOptions{TOptions}"/>
    /// instance: no options pipeline, no start-up validation, no configuration binding and no <see cref="MigrationOptions"/>
    /// (pass those to each orchestrator call). For a short-lived program that builds its options itself (vfioctl): under
    /// NativeAOT the pipeline's open generics would be built by the runtime type loader at every start.
    /// </summary>
    /// <param name="services">The collection.</param>
    /// <param name="options">The options, every value set; not copied, so not to be changed after this call.</param>
    /// <returns>The collection.</returns>
    /// <exception cref="OptionsValidationException">Listing every invalid option, in the words and order of the start-up validation's.</exception>
    public static IServiceCollection AddMdevManager(this IServiceCollection services, MdevManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        MdevManagerOptionsValidation.ThrowIfInvalid(options);
        services.AddSingleton<IOptions<MdevManagerOptions>>(Microsoft.Extensions.Options.Options.Create(options));
        AddServices(services);
        return services;
    }

    private static void AddServices(IServiceCollection services)
    {
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
    }
}
