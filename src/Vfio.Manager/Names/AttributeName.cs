using System.Diagnostics.CodeAnalysis;

namespace Vfio.Manager.Names;

/// <summary>
/// The name of one attribute file in sysfs, such as a migration parameter under a device's <c>migration/</c>
/// directory (<c>rss</c>, <c>rx-filter-size</c>) or a type attribute (<c>available_instances</c>).
/// </summary>
/// <remarks>
/// One path segment of ASCII letters, digits and <c>_ - .</c>; sysfs attribute names are C identifiers in
/// practice, and migration parameter names are kebab-case.
/// </remarks>
public readonly record struct AttributeName
{
    private const string ExtraCharacters = "_-.";
    private readonly string? _value;

    private AttributeName(string value) => _value = value;

    /// <summary>The file name.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Parses an attribute name.</summary>
    /// <param name="text">The name.</param>
    /// <returns>The validated name.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when the name is not a valid attribute name.</exception>
    public static AttributeName Parse(string? text) =>
        Problem(text) is string problem
            ? throw NameRules.Invalid("attribute name", text, problem, "a file name such as rss or rx-filter-size (letters, digits, _ - .)")
            : new AttributeName(text!);

    /// <summary>Parses an attribute name without throwing.</summary>
    /// <param name="text">The name.</param>
    /// <param name="name">The validated name.</param>
    /// <returns>True when the name is valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out AttributeName name)
    {
        bool ok = Problem(text) is null;
        name = ok ? new AttributeName(text!) : default;
        return ok;
    }

    /// <summary>The name.</summary>
    /// <returns>The file name.</returns>
    public override string ToString() => Value;

    private static string? Problem(string? text) =>
        NameRules.SegmentProblem(text)
        ?? (NameRules.IsAsciiWord(text!, ExtraCharacters) ? null : "it contains a character other than letters, digits and _ - .");
}
