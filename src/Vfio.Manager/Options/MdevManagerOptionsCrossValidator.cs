using Microsoft.Extensions.Options;

namespace Vfio.Manager.Options;

/// <summary>The rules that involve more than one option, or more than an attribute can say.</summary>
internal sealed class MdevManagerOptionsCrossValidator : IValidateOptions<MdevManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, MdevManagerOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        RequireAbsolute(builder, nameof(MdevManagerOptions.SysfsRoot), options.SysfsRoot);
        RequireAbsolute(builder, nameof(MdevManagerOptions.ConfigRoot), options.ConfigRoot);
        RequireAbsolute(builder, nameof(MdevManagerOptions.DevRoot), options.DevRoot);
        RequireAbsolute(builder, nameof(MdevManagerOptions.ManifestDir), options.ManifestDir);
        if (options.Emulated && options.SysfsRoot is not null && Path.IsPathRooted(options.SysfsRoot) && Path.GetFullPath(options.SysfsRoot) == "/")
        {
            // The emulated host writes the files a kernel would own; pointed at / it would write into the real /sys.
            builder.AddError("an emulated host needs its own directory; SysfsRoot is '/'", nameof(MdevManagerOptions.SysfsRoot));
        }
        RequireRange(builder, nameof(MdevManagerOptions.LockTimeout), options.LockTimeout, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(10));
        RequireRange(builder, nameof(MdevManagerOptions.StateChangeTimeout), options.StateChangeTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        return builder.Build();
    }

    private static void RequireRange(ValidateOptionsResultBuilder builder, string option, TimeSpan value, TimeSpan minimum, TimeSpan maximum)
    {
        if (value < minimum || value > maximum)
        {
            builder.AddError($"{value} is outside {minimum} to {maximum}", option);
        }
    }

    private static void RequireAbsolute(ValidateOptionsResultBuilder builder, string option, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !Path.IsPathRooted(path))
        {
            builder.AddError($"'{path}' is not an absolute path", option);
        }
    }
}
