using System.Globalization;
using System.Text;

namespace Vfio.Errors;

/// <summary>Stable printed forms of <see cref="ErrorCode"/> values and their documentation anchors.</summary>
public static class ErrorCatalogue
{
    /// <summary>The printed id of a code, e.g. <c>E3001</c>.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The letter E followed by the code's number.</returns>
    public static string Id(ErrorCode code) => "E" + ((int)code).ToString(CultureInfo.InvariantCulture);

    /// <summary>The kebab-case name of a code, e.g. <c>model-mismatch</c>.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name, lower case, words joined by hyphens.</returns>
    public static string Name(ErrorCode code)
    {
        string pascal = code.ToString();
        var sb = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c))
            {
                // "V1StateInvalid" -> "v1-state-invalid": a break before an upper-case letter that follows
                // a lower-case letter or a digit.
                if (i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1])))
                {
                    sb.Append('-');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>The section of <c>docs/errors.md</c> that explains a code, e.g. <c>docs/errors.md#e3001-model-mismatch</c>.</summary>
    /// <param name="code">The code.</param>
    /// <returns>A relative link to the section.</returns>
    public static string DocLink(ErrorCode code) => $"docs/errors.md#{Id(code).ToLowerInvariant()}-{Name(code)}";

    /// <summary>Every code of the catalogue, in numeric order.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } = Enum.GetValues<ErrorCode>().OrderBy(c => (int)c).ToArray();

    /// <summary>
    /// The codes an operator may override with <c>--force</c> (the one list; docs/errors.md says "Can be forced" per code
    /// and a test keeps the two equal): compatibility refusals of the configuration (the destination does not know or
    /// accept a parameter, or runs another value), a destination that has run, and a source whose state moved away
    /// (<c>resume --force</c>). A model mismatch, a stream that is corrupt, truncated or fails its checksum, and every
    /// device or kernel refusal can never be forced.
    /// </summary>
    public static IReadOnlySet<ErrorCode> Forceable { get; } = new HashSet<ErrorCode>
    {
        ErrorCode.ParameterUnknownToDestination,
        ErrorCode.ValueNotAcceptedByDestination,
        ErrorCode.DestinationOnlyFeatureEnabled,
        ErrorCode.ConfigurationMismatch,
        ErrorCode.StateMovedAway,
        ErrorCode.DestinationHasRun,
    };

    /// <summary>Whether <c>--force</c> may proceed past <paramref name="code"/> (<see cref="Forceable"/>).</summary>
    /// <param name="code">The code.</param>
    /// <returns>True for an overridable refusal.</returns>
    public static bool CanBeForced(ErrorCode code) => Forceable.Contains(code);
}
