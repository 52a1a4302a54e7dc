using System.Diagnostics.CodeAnalysis;

namespace Vfio.Manager.Names;

/// <summary>
/// The directory name of an mdev type under a parent's <c>mdev_supported_types</c>, e.g. <c>mtty-2</c>,
/// <c>nvidia-35</c> or <c>i915-GVTg_V5_4</c>. The kernel builds it as <c>&lt;driver&gt;-&lt;type&gt;</c>.
/// </summary>
/// <remarks>
/// Besides the sysfs-safe rules every path segment obeys, a type name may hold only ASCII letters, digits and
/// <c>_ - . : +</c>: every real type name fits, and nothing that could confuse a path or a shell does.
/// </remarks>
public readonly record struct MdevTypeName
{
    private const string ExtraCharacters = "_-.:+";
    private readonly string? _value;

    private MdevTypeName(string value) => _value = value;

    /// <summary>The type's directory name.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>
    /// The driver prefix of the name (the text before the first <c>-</c>), which is how the kernel names types
    /// since Linux 4.10 (<c>dev_driver_string(parent)-sysfs_name</c>); null when the name has no hyphen.
    /// </summary>
    public string? DriverPrefix
    {
        get
        {
            int hyphen = Value.IndexOf('-', StringComparison.Ordinal);
            return hyphen > 0 ? Value[..hyphen] : null;
        }
    }

    /// <summary>Parses a type name.</summary>
    /// <param name="text">The name.</param>
    /// <returns>The validated name.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when the name is not a valid type name.</exception>
    public static MdevTypeName Parse(string? text) =>
        Problem(text) is string problem
            ? throw NameRules.Invalid("mdev type name", text, problem, "a type name such as mtty-2 or nvidia-35 (letters, digits, _ - . : +)")
            : new MdevTypeName(text!);

    /// <summary>Parses a type name without throwing.</summary>
    /// <param name="text">The name.</param>
    /// <param name="name">The validated name.</param>
    /// <returns>True when the name is valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out MdevTypeName name)
    {
        bool ok = Problem(text) is null;
        name = ok ? new MdevTypeName(text!) : default;
        return ok;
    }

    /// <summary>The name.</summary>
    /// <returns>The type's directory name.</returns>
    public override string ToString() => Value;

    private static string? Problem(string? text) =>
        NameRules.SegmentProblem(text)
        ?? (NameRules.IsAsciiWord(text!, ExtraCharacters) ? null : "it contains a character other than letters, digits and _ - . : +");
}
