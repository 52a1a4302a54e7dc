namespace Vfio.DeviceModels;

/// <summary>
/// The outcome of a compatibility check: every problem found (not just the first, like
/// <c>ValidateOptionsResultBuilder</c>), and when there are none, the configuration the destination device
/// must run.
/// </summary>
public sealed class CompatibilityResult
{
    internal CompatibilityResult(IReadOnlyList<CompatibilityProblem> problems, DeviceConfiguration? destinationConfiguration)
    {
        Problems = problems;
        DestinationConfiguration = problems.Count == 0 ? destinationConfiguration : null;
    }

    /// <summary>Whether the source can migrate to the destination.</summary>
    public bool IsCompatible => Problems.Count == 0;

    /// <summary>Every problem found, in a stable order (model first, then parameters sorted ordinal).</summary>
    public IReadOnlyList<CompatibilityProblem> Problems { get; }

    /// <summary>
    /// When compatible: the configuration, in the destination's description, that the destination device must
    /// be created with (or already runs). Source parameters the destination lacks are absent (they were off).
    /// <see langword="null"/> when incompatible.
    /// </summary>
    public DeviceConfiguration? DestinationConfiguration { get; }

    /// <summary>Throws when the check found problems.</summary>
    /// <exception cref="DeviceModelException">
    /// With the first problem's code and facts; the message lists every problem, one per line.
    /// </exception>
    public void ThrowIfIncompatible()
    {
        if (Problems.Count == 0)
        {
            return;
        }
        CompatibilityProblem first = Problems[0];
        string message = Problems.Count == 1
            ? first.Message
            : $"{Problems.Count} compatibility problems:{Environment.NewLine}" + string.Join(Environment.NewLine, Problems.Select(p => "  " + p));
        throw ModelErrors.Incompatible(first, message);

    }

    /// <summary>"compatible", or the problems one per line.</summary>
    /// <returns>A summary for logs.</returns>
    public override string ToString() => IsCompatible ? "compatible" : string.Join(Environment.NewLine, Problems);
}
