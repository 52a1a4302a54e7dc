using System.Diagnostics.CodeAnalysis;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// One migration parameter of a device model: a name, a type, the allowed values, the <b>off value</b>
/// (the value that disables the parameter's feature, and what a source that predates the parameter means)
/// and the <b>init value</b> (what a device gets when its creator pins nothing; normally the latest behaviour).
/// </summary>
/// <remarks>
/// The spec is validated when built: a name outside <c>[a-z][a-z0-9-]*</c> (it becomes a sysfs file name and a
/// configuration key), the reserved name <c>version</c>, or an off or init value that is not allowed is refused.
/// Values are held in canonical text (<c>064</c> becomes <c>64</c>).
/// </remarks>
public sealed class ParameterSpec
{
    /// <summary>Builds and validates a parameter spec.</summary>
    /// <param name="name">The name, lower-case a-z, 0-9 and '-', starting with a letter, e.g. <c>rx-filter-size</c>.</param>
    /// <param name="type">The value type.</param>
    /// <param name="allowedValues">The allowed values; its type must be <paramref name="type"/>.</param>
    /// <param name="offValue">The value that disables the feature; must be allowed.</param>
    /// <param name="initValue">The value of a device created with nothing pinned; must be allowed.</param>
    /// <param name="description">One line for operators; may be empty.</param>
    /// <param name="since">The name of the model version that introduced the parameter, if recorded.</param>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> naming the parameter and the offending value.</exception>
    public ParameterSpec(
        string name,
        ParameterType type,
        AllowedValues allowedValues,
        string offValue,
        string initValue,
        string description = "",
        string? since = null)
    {
        ArgumentNullException.ThrowIfNull(allowedValues);
        if (!ValueSyntax.IsParameterName(name) || name == ValueSyntax.VersionKey)
        {
            throw ModelErrors.ParameterNameInvalid(name);
        }
        if (allowedValues.Type != type)
        {
            throw Invalid(name, allowedValues.Text, $"allowed values are for a {ValueSyntax.TypeName(allowedValues.Type)} parameter, not {ValueSyntax.TypeName(type)}", ValueSyntax.TypeName(type));
        }
        if (since is not null && !ValueSyntax.IsVersionName(since))
        {
            throw Invalid(name, since, $"'since' version '{since}' is not a version name", "a version name such as 2");
        }
        Name = name;
        Type = type;
        AllowedValues = allowedValues;
        Description = description ?? string.Empty;
        Since = since;
        OffValue = RequireAllowed(offValue, "off value");
        InitValue = RequireAllowed(initValue, "init value");
    }

    /// <summary>The parameter's name: its configuration key and its file name under a device's <c>migration/</c> directory.</summary>
    public string Name { get; }

    /// <summary>The value type.</summary>
    public ParameterType Type { get; }

    /// <summary>The values the parameter accepts.</summary>
    public AllowedValues AllowedValues { get; }

    /// <summary>The canonical value that disables the feature; an absent parameter means this value.</summary>
    public string OffValue { get; }

    /// <summary>The canonical value of a device created without a pinned configuration.</summary>
    public string InitValue { get; }

    /// <summary>One line for operators.</summary>
    public string Description { get; }

    /// <summary>The version that introduced the parameter, or <see langword="null"/> when not recorded.</summary>
    public string? Since { get; }

    /// <summary>A boolean switch, allowed <c>on</c> and <c>off</c>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="offValue">The value that disables the feature, normally <c>off</c>.</param>
    /// <param name="initValue">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the name or a value is invalid.</exception>
    public static ParameterSpec Bool(string name, string offValue = "off", string initValue = "off", string description = "", string? since = null) =>
        new(name, ParameterType.Bool, AllowedValues.BoolBoth, offValue, initValue, description, since);

    /// <summary>An integer parameter with allowed ranges such as <c>0-64</c>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="allowedValues">The ranges, e.g. <c>0-255,512</c>.</param>
    /// <param name="offValue">The value that disables the feature.</param>
    /// <param name="initValue">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the name, ranges or a value is invalid.</exception>
    public static ParameterSpec Int(string name, string allowedValues, string offValue, string initValue, string description = "", string? since = null) =>
        new(name, ParameterType.Int, DeviceModels.AllowedValues.Parse(ParameterType.Int, allowedValues), offValue, initValue, description, since);

    /// <summary>A string parameter with a fixed list of tokens.</summary>
    /// <param name="name">The name.</param>
    /// <param name="allowedValues">The tokens, comma-separated, e.g. <c>none,fifo,ring</c>.</param>
    /// <param name="offValue">The value that disables the feature.</param>
    /// <param name="initValue">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the name, list or a value is invalid.</exception>
    public static ParameterSpec Str(string name, string allowedValues, string offValue, string initValue, string description = "", string? since = null) =>
        new(name, ParameterType.Str, DeviceModels.AllowedValues.Parse(ParameterType.Str, allowedValues), offValue, initValue, description, since);

    /// <summary>Reads a value of this parameter into canonical text and checks it is allowed.</summary>
    /// <param name="value">The value as written by a user or a document.</param>
    /// <param name="canonical">The canonical text when the value is allowed.</param>
    /// <returns><see langword="true"/> when the value is of the right type and allowed.</returns>
    public bool TryNormalize(string? value, [NotNullWhen(true)] out string? canonical)
    {
        if (ValueSyntax.TryNormalize(Type, value, out canonical, out _) && AllowedValues.Contains(canonical))
        {
            return true;
        }
        canonical = null;
        return false;
    }

    /// <summary>Reads a value of this parameter into canonical text, refusing what is not allowed.</summary>
    /// <param name="value">The value as written.</param>
    /// <param name="model">The model, for the message.</param>
    /// <param name="device">The device, for the message, if any.</param>
    /// <returns>The canonical text.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ValueNotAllowed"/> naming the device, parameter, value and allowed values.</exception>
    public string Normalize(string? value, DeviceModelId model = default, string? device = null)
    {
        if (TryNormalize(value, out string? canonical))
        {
            return canonical;
        }
        throw ModelErrors.ValueNotAllowed(this, model, value, device);
    }

    /// <summary>Whether two specs say the same thing (name, type, allowed values, off, init, description, since).</summary>
    /// <param name="other">The other spec.</param>
    /// <returns><see langword="true"/> when every field is equal.</returns>
    public bool SameAs(ParameterSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Type == other.Type && AllowedValues.Equals(other.AllowedValues) &&
            OffValue == other.OffValue && InitValue == other.InitValue && Description == other.Description && Since == other.Since;
    }

    /// <summary>The spec in one line, e.g. <c>rx-filter-size int 0-64 off=0 init=32</c>.</summary>
    /// <returns>A human-readable summary.</returns>
    public override string ToString() => $"{Name} {ValueSyntax.TypeName(Type)} {AllowedValues.Text} off={OffValue} init={InitValue}";

    private string RequireAllowed(string? value, string what)
    {
        if (!ValueSyntax.TryNormalize(Type, value, out string? canonical, out string expected))
        {
            throw Invalid(Name, value, $"{what} '{value}' is not {expected}", AllowedValues.Text);
        }
        if (!AllowedValues.Contains(canonical))
        {
            throw Invalid(Name, value, $"{what} '{value}' is not among the allowed values {AllowedValues.Text}", AllowedValues.Text);
        }
        return canonical;
    }

    private static DeviceModelException Invalid(string name, string? value, string why, string expected) =>
        ModelErrors.ParameterSpecInvalid(name, value, why, expected);

}
