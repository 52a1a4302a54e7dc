using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// Decides, before any device state moves, whether a source device's configuration can be loaded by a
/// destination (the orchestrator's step 2, docs/orchestrator.md). The rules are in <c>docs/compatibility.md</c>.
/// </summary>
/// <remarks>
/// Two questions are answered. Against a destination <see cref="ModelDescription"/>: can a new device be
/// created there that runs the source's configuration? Against an existing destination device's
/// <see cref="DeviceConfiguration"/>: does that device run exactly the source's configuration? Both gather every
/// problem rather than stopping at the first. The source is given in its foreign form, so the destination's
/// description decides; version names are never compared, only expanded values.
/// </remarks>
public static class CompatibilityChecker
{
    /// <summary>Checks a source configuration against a destination description (for creating a device there).</summary>
    /// <param name="source">The source device's configuration.</param>
    /// <param name="destination">The destination implementation's description of the model.</param>
    /// <param name="sourceDevice">The source device's name, for messages.</param>
    /// <returns>The result; when compatible it holds the configuration to create on the destination.</returns>
    public static CompatibilityResult Check(DeviceConfiguration source, ModelDescription destination, string? sourceDevice = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Check(source.ToForeign(sourceDevice), destination);
    }

    /// <summary>Checks a source given as plain strings (e.g. read from another host) against a destination description.</summary>
    /// <param name="sourceModel">The source's model id.</param>
    /// <param name="sourceValues">The source's values; a parameter not named is at its off value. Without off values, a named parameter the destination lacks is taken to be in use.</param>
    /// <param name="sourceDevice">The source device's name, for messages.</param>
    /// <param name="destination">The destination implementation's description.</param>
    /// <returns>The result.</returns>
    public static CompatibilityResult Check(DeviceModelId sourceModel, IReadOnlyDictionary<string, string> sourceValues, string? sourceDevice, ModelDescription destination) =>
        Check(new ForeignConfiguration(sourceModel, sourceValues, new Dictionary<string, string>(StringComparer.Ordinal), sourceDevice), destination);

    /// <summary>Checks a source in foreign form against a destination description (for creating a device there).</summary>
    /// <param name="source">The source's configuration as plain strings.</param>
    /// <param name="destination">The destination implementation's description.</param>
    /// <returns>
    /// The result: <see cref="ErrorCode.ModelMismatch"/>, <see cref="ErrorCode.ParameterUnknownToDestination"/> and
    /// <see cref="ErrorCode.ValueNotAcceptedByDestination"/> problems; when compatible, the configuration to create.
    /// </returns>
    public static CompatibilityResult Check(ForeignConfiguration source, ModelDescription destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var problems = new List<CompatibilityProblem>();
        if (!SameModel(source, destination.Id, null, problems))
        {
            return new CompatibilityResult(problems, null);
        }
        Dictionary<string, string> accepted = CheckSourceValues(source, destination, problems);
        DeviceConfiguration? config = problems.Count == 0 ? DeviceConfiguration.FromValues(destination, accepted) : null;
        return new CompatibilityResult(problems, config);
    }

    /// <summary>Checks a source configuration against an existing destination device (which must run the same configuration).</summary>
    /// <param name="source">The source device's configuration.</param>
    /// <param name="destination">The destination device's configuration.</param>
    /// <param name="sourceDevice">The source device's name, for messages.</param>
    /// <param name="destinationDevice">The destination device's name, for messages.</param>
    /// <returns>The result.</returns>
    public static CompatibilityResult Check(DeviceConfiguration source, DeviceConfiguration destination, string? sourceDevice = null, string? destinationDevice = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Check(source.ToForeign(sourceDevice), destination, destinationDevice);
    }

    /// <summary>Checks a source in foreign form against an existing destination device's configuration.</summary>
    /// <param name="source">The source's configuration as plain strings.</param>
    /// <param name="destination">The configuration the existing destination device runs.</param>
    /// <param name="destinationDevice">The destination device's name, for messages.</param>
    /// <returns>
    /// The result: besides the description checks, <see cref="ErrorCode.ConfigurationMismatch"/> for a parameter both
    /// know whose values differ, and <see cref="ErrorCode.DestinationOnlyFeatureEnabled"/> for a parameter only the
    /// destination knows that is not at its off value.
    /// </returns>
    public static CompatibilityResult Check(ForeignConfiguration source, DeviceConfiguration destination, string? destinationDevice = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var problems = new List<CompatibilityProblem>();
        ModelDescription model = destination.Model;
        if (!SameModel(source, model.Id, destinationDevice, problems))
        {
            return new CompatibilityResult(problems, null);
        }
        Dictionary<string, string> accepted = CheckSourceValues(source, model, problems);
        string src = Name(source.Device, "the source");
        string dst = Name(destinationDevice, "the destination device");
        foreach (ParameterSpec p in model.Parameters)
        {
            string actual = destination[p.Name];
            if (accepted.TryGetValue(p.Name, out string? wanted))
            {
                if (wanted != actual)
                {
                    problems.Add(new CompatibilityProblem(ErrorCode.ConfigurationMismatch, destinationDevice, p.Name, source.Values[p.Name], actual,
                        $"{dst} runs {p.Name}={actual} but {src} has {p.Name}={source.Values[p.Name]}; state saved with {source.Values[p.Name]} cannot be loaded into a device running {actual}: create the destination device with {p.Name}={wanted}"));
                }
                continue;
            }
            if (source.Values.ContainsKey(p.Name))
            {
                continue; // the value was refused above and is already a problem
            }
            // The source does not state the parameter: it is off there, so it must be off here too.
            if (actual != p.OffValue)
            {
                bool sourceKnows = source.OffValues.ContainsKey(p.Name);
                ErrorCode code = sourceKnows ? ErrorCode.ConfigurationMismatch : ErrorCode.DestinationOnlyFeatureEnabled;
                string why = sourceKnows
                    ? $"{src} has {p.Name} off"
                    : source.OffValues.Count == 0
                        ? $"{src} does not state {p.Name}, which means {p.Name}={p.OffValue}"
                        : $"{src} does not have {p.Name} (its implementation of {source.Model} predates it), which means {p.Name}={p.OffValue}";
                problems.Add(new CompatibilityProblem(code, destinationDevice, p.Name, actual, p.OffValue,
                    $"{dst} runs {p.Name}={actual} but {why}; create the destination device with {p.Name}={p.OffValue}"));
            }
        }
        return new CompatibilityResult(problems, problems.Count == 0 ? destination : null);
    }

    private static bool SameModel(ForeignConfiguration source, DeviceModelId destination, string? destinationDevice, List<CompatibilityProblem> problems)
    {
        if (source.Model == destination)
        {
            return true;
        }
        problems.Add(new CompatibilityProblem(ErrorCode.ModelMismatch, source.Device, null, source.Model.ToString(), destination.ToString(),
            $"{Name(source.Device, "the source")} runs model {source.Model} but {Name(destinationDevice, "the destination")} runs {destination}; different models never migrate into each other"));
        return false;
    }

    // Every parameter the source states must be known to the destination (unless the source has it off) and its
    // value accepted there. Returns the accepted values, canonical in the destination's terms.
    private static Dictionary<string, string> CheckSourceValues(ForeignConfiguration source, ModelDescription destination, List<CompatibilityProblem> problems)
    {
        var accepted = new Dictionary<string, string>(StringComparer.Ordinal);
        string src = Name(source.Device, "the source");
        foreach (KeyValuePair<string, string> kv in source.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!destination.TryGetParameter(kv.Key, out ParameterSpec? spec))
            {
                if (source.OffValues.TryGetValue(kv.Key, out string? off) && off == kv.Value)
                {
                    continue; // the feature is off on the source: nothing of it is in the state
                }
                // The advice follows from what is known: a value known to be on can be turned off at the source; a value
                // whose off-ness the source does not state cannot be judged, and telling the operator to set it off
                // (when it may read 'off' already) would contradict the problem itself.
                string why = source.OffValues.TryGetValue(kv.Key, out string? offText)
                    ? $"it is on ({kv.Key}={kv.Value}, off is {offText}); pick a destination that knows '{kv.Key}' or create the source with '{kv.Key}' off"
                    : $"the source sets {kv.Key}={kv.Value} without saying whether that is the parameter's off value (only its model description knows); " +
                      $"pick a destination that knows '{kv.Key}', or state the source with every parameter and its off values (vfioctl describe --json writes such a document)";
                problems.Add(new CompatibilityProblem(ErrorCode.ParameterUnknownToDestination, source.Device, kv.Key, kv.Value, string.Join(",", destination.Parameters.Select(p => p.Name)),
                    $"{src} uses parameter '{kv.Key}' of model {source.Model}, which the destination's implementation does not know, and {why}"));
                continue;
            }
            if (!spec.TryNormalize(kv.Value, out string? canonical))
            {
                problems.Add(new CompatibilityProblem(ErrorCode.ValueNotAcceptedByDestination, source.Device, kv.Key, kv.Value, spec.AllowedValues.Text,
                    $"{src} has {kv.Key}={kv.Value} but the destination's implementation of {source.Model} allows {kv.Key} only in {spec.AllowedValues.Text}"));
                continue;
            }
            accepted[kv.Key] = canonical;
        }
        return accepted;
    }

    private static string Name(string? device, string fallback) => device is null ? fallback : $"device {device}";
}
