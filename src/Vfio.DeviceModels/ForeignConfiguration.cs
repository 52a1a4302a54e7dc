using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// A source device's configuration as plain strings, for a destination that may hold a different description of
/// the model (an older or newer implementation). It is what a source sends; the destination interprets it with
/// its own description in <see cref="CompatibilityChecker"/>.
/// </summary>
/// <remarks>
/// <para><see cref="Values"/> maps each parameter the source states to its value. A parameter the map does not
/// name is at its off value (the design's rule: a source that predates a parameter means its off value), so the
/// canonical text of a configuration is a valid foreign form.</para>
/// <para><see cref="OffValues"/> gives, for parameters of the source's description, the source's off value. It lets
/// a destination that lacks a parameter see that the source has that feature off. Without it, a stated parameter
/// the destination does not know is taken to be in use.</para>
/// </remarks>
/// <param name="Model">The source's model id.</param>
/// <param name="Values">The source's stated values (plain strings as the source wrote them).</param>
/// <param name="OffValues">The source's off values per parameter, where known; may be empty.</param>
/// <param name="Device">The source device's name (UUID or emulated name) for messages, if known.</param>
public sealed record ForeignConfiguration(
    DeviceModelId Model,
    IReadOnlyDictionary<string, string> Values,
    IReadOnlyDictionary<string, string> OffValues,
    string? Device = null)
{
    /// <summary>Content equality: same model, device and the same entries in both maps (ordinal), in any order.</summary>
    /// <param name="other">The other foreign configuration.</param>
    /// <returns><see langword="true"/> when both say the same thing.</returns>
    public bool Equals(ForeignConfiguration? other) =>
        other is not null && Model == other.Model && Device == other.Device &&
        SameEntries(Values, other.Values) && SameEntries(OffValues, other.OffValues);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        // Order-independent over the entries, so equal maps hash equally whatever their enumeration order.
        int values = 0;
        foreach (KeyValuePair<string, string> kv in Values)
        {
            values ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(kv.Key), StringComparer.Ordinal.GetHashCode(kv.Value));
        }
        return HashCode.Combine(Model, Device, values, Values.Count, OffValues.Count);
    }

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && string.Equals(v, kv.Value, StringComparison.Ordinal));

    /// <summary>
    /// Completes <see cref="OffValues"/> for stated parameters the source did not give an off value for, from other
    /// descriptions of the same model (the destination's types, the local host's, a fleet's documents). A parameter's
    /// off value is part of the model's contract (the static diff reports a change of it as breaking both ways), so any
    /// description of the model that knows the parameter says it; when the descriptions disagree nothing is assumed and
    /// the parameter stays without an off value (the checker's safe reading: in use).
    /// </summary>
    /// <param name="descriptions">Descriptions to learn from; those of other models are ignored.</param>
    /// <returns>This configuration when nothing was learned, else a copy with the learned off values added.</returns>
    public ForeignConfiguration WithOffValuesFrom(IEnumerable<ModelDescription> descriptions)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        string[] unknown = [.. Values.Keys.Where(name => !OffValues.ContainsKey(name))];
        if (unknown.Length == 0)
        {
            return this;
        }
        var learned = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (ModelDescription description in descriptions)
        {
            if (description.Id != Model)
            {
                continue;
            }
            foreach (string name in unknown)
            {
                if (description.TryGetParameter(name, out ParameterSpec? spec))
                {
                    if (!learned.TryGetValue(name, out string? seen))
                    {
                        learned[name] = spec.OffValue;
                    }
                    else if (seen is not null && seen != spec.OffValue)
                    {
                        learned[name] = null; // a disagreement, which no later description can settle
                    }
                }
            }
        }
        if (!learned.Values.Any(v => v is not null))
        {
            return this;
        }
        var off = new Dictionary<string, string>(OffValues, StringComparer.Ordinal);
        foreach ((string name, string? value) in learned)
        {
            if (value is not null)
            {
                off[name] = value;
            }
        }
        return this with { OffValues = off };
    }

    /// <summary>
    /// Reads the canonical text of a configuration (<c>name=value</c> items joined by ',') without a description:
    /// only the syntax is checked. A <c>version</c> item is refused, since only a description can expand it.
    /// </summary>
    /// <param name="model">The source model id.</param>
    /// <param name="text">The canonical text; the empty string means every parameter off.</param>
    /// <param name="device">The source device, for messages.</param>
    /// <returns>The foreign form with no off values.</returns>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.ConfigurationMalformed"/> for bad syntax or a version item, <see cref="ErrorCode.ParameterDuplicate"/>.
    /// </exception>
    public static ForeignConfiguration Parse(DeviceModelId model, string text, string? device = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (text.Length > 0)
        {
            int position = 0;
            foreach (string item in text.Split(','))
            {
                position++;
                // The item syntax DeviceConfiguration uses; with no description to look names up in, the name must
                // also be a well-formed parameter name, and not version (only a description can expand it).
                if (ValueSyntax.SplitItem(item, out string name, out string value) is not null ||
                    !ValueSyntax.IsParameterName(name) || name == ValueSyntax.VersionKey)
                {
                    throw ModelErrors.ForeignItemMalformed(model, device, text, position, item);

                }
                if (!values.TryAdd(name, value))
                {
                    throw ValueSyntax.DuplicateItem(model, text, name, value, device);
                }
            }
        }
        return new ForeignConfiguration(model, values.AsReadOnly(), new Dictionary<string, string>(StringComparer.Ordinal), device);
    }
}
