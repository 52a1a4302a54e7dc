using Microsoft.Extensions.Options;
using Vfio.Errors;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Migration;

/// <summary>
/// The rules of <see cref="MigrationOptions"/>, in one place for both ways it arrives: bound from configuration and
/// checked when the service provider starts (<see cref="Options.MdevManagerServiceCollectionExtensions.AddMdevManager(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{Options.MdevManagerOptions})"/>
/// registers it with <c>ValidateOnStart</c>), or passed to one orchestrator call, which checks it before opening
/// anything (<see cref="ErrorCode.OptionsInvalid"/>).
/// </summary>
internal sealed class MigrationOptionsValidator : IValidateOptions<MigrationOptions>
{
    /// <summary>The largest envelope chunk an option may ask for; the reader refuses longer records anyway.</summary>
    public const int MaxChunkSize = 64 << 20; // the envelope's own limit (StreamFormat.MaxChunkSizeLimit): a larger chunk would not load

    /// <summary>The most pre-copy rounds an option may ask for (QEMU converges in far fewer).</summary>
    public const int MaxPreCopyIterations = 1000;

    /// <summary>The most channels a transfer may be split over.</summary>
    public const int MaxChannels = 64;

    public ValidateOptionsResult Validate(string? name, MigrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.MaxPreCopyIterations is < 0 or > MaxPreCopyIterations)
        {
            builder.AddError($"{options.MaxPreCopyIterations} is outside 0 to {MaxPreCopyIterations}", nameof(MigrationOptions.MaxPreCopyIterations));
        }
        if (options.DirtyBytesThreshold < 0)
        {
            builder.AddError($"{options.DirtyBytesThreshold} is negative", nameof(MigrationOptions.DirtyBytesThreshold));
        }
        if (options.ChunkSize is < 1 or > MaxChunkSize)
        {
            builder.AddError($"{options.ChunkSize} is outside 1 to {MaxChunkSize} bytes", nameof(MigrationOptions.ChunkSize));
        }
        if (options.Channels is < 1 or > MaxChannels)
        {
            builder.AddError($"{options.Channels} is outside 1 to {MaxChannels}", nameof(MigrationOptions.Channels));
        }
        return builder.Build();
    }

    /// <summary>Throws the catalogued refusal listing every failure, as the start-up validation lists them.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.OptionsInvalid"/>.</exception>
    public static void ThrowIfInvalid(MigrationOptions options)
    {
        ValidateOptionsResult result = new MigrationOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw ManagerErrors.MigrationOptionsInvalid(result.FailureMessage);
        }
    }
}
