using System.Diagnostics.CodeAnalysis;

namespace Vfio.Manager.Names;

/// <summary>
/// The name of an mdev parent device as listed under <c>/sys/class/mdev_bus</c>: a PCI address such as
/// <c>0000:00:03.0</c>, or any other device name the kernel gives (the mtty sample's parent is <c>mtty</c>).
/// </summary>
/// <remarks>
/// The name becomes one path segment, so it must be sysfs-safe: not empty, not <c>.</c> or <c>..</c>, no
/// <c>/</c>, NUL, white space or control characters, at most 255 characters. It must also be printable ASCII: every
/// name the kernel gives an mdev parent is (PCI, CCW and AP addresses, <c>mtty</c>), and a look-alike such as a
/// fullwidth solidus or a bidirectional override could otherwise make one parent read as another.
/// </remarks>
public readonly record struct ParentDeviceName
{
    private readonly string? _value;

    private ParentDeviceName(string value) => _value = value;

    /// <summary>The name as the kernel prints it.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Parses a parent device name.</summary>
    /// <param name="text">The name.</param>
    /// <returns>The validated name.</returns>
    /// <exception cref="Vfio.Errors.VfioException"><see cref="Vfio.Errors.ErrorCode.NameInvalid"/> when the name is not sysfs-safe.</exception>
    public static ParentDeviceName Parse(string? text) =>
        Problem(text) is string problem
            ? throw NameRules.Invalid("parent device name", text, problem, "a device name such as 0000:00:03.0 or mtty")
            : new ParentDeviceName(text!);

    /// <summary>Parses a parent device name without throwing.</summary>
    /// <param name="text">The name.</param>
    /// <param name="name">The validated name.</param>
    /// <returns>True when the name is sysfs-safe.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out ParentDeviceName name)
    {
        bool ok = Problem(text) is null;
        name = ok ? new ParentDeviceName(text!) : default;
        return ok;
    }

    /// <summary>The name.</summary>
    /// <returns>The name as the kernel prints it.</returns>
    public override string ToString() => Value;

    private static string? Problem(string? text) =>
        NameRules.SegmentProblem(text)
        ?? (text!.All(c => c is > ' ' and < '\u007f') ? null : "it contains a character that is not printable ASCII");
}
