using Microsoft.Extensions.Options;

namespace Vfio.Manager.Options;

/// <summary>
/// The checks <see cref="MdevManagerServiceCollectionExtensions.AddMdevManager(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{MdevManagerOptions})"/>
/// runs on <see cref="MdevManagerOptions"/> at start, run directly, for options registered as a ready instance
/// (<see cref="MdevManagerServiceCollectionExtensions.AddMdevManager(Microsoft.Extensions.DependencyInjection.IServiceCollection, MdevManagerOptions)"/>).
/// </summary>
internal static class MdevManagerOptionsValidation
{
    /// <summary>Checks <paramref name="options"/> by the attribute rules and the cross-field rules, in that order, as the start-up validation does.</summary>
    /// <param name="options">The options, with every value set.</param>
    /// <exception cref="OptionsValidationException">Listing every failure, in the words and order of the start-up validation's.</exception>
    public static void ThrowIfInvalid(MdevManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string name = Microsoft.Extensions.Options.Options.DefaultName;
        List<string>? failures = null;
        Add(ref failures, new MdevManagerOptionsValidator().Validate(name, options));
        Add(ref failures, new MdevManagerOptionsCrossValidator().Validate(name, options));
        if (failures is not null)
        {
            throw new OptionsValidationException(name, typeof(MdevManagerOptions), failures);
        }
    }

    private static void Add(ref List<string>? failures, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            (failures ??= []).AddRange(result.Failures);
        }
    }
}
