using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// A named alias for parameter assignments, e.g. version <c>2</c> = <c>rx-filter-size=32</c>. A version may
/// build on another (<see cref="BasedOn"/>): its assignments are applied over the base's expansion.
/// </summary>
/// <remarks>
/// A version is never identity: compatibility is decided on the expanded configuration only (anti-pattern
/// "version names treated as identity"). Every parameter a version's expansion does not assign is at its off
/// value, so version <c>1</c> declared as <c>{}</c> means "every feature off". The owning
/// <see cref="ModelDescription"/> checks the assignments against its parameters and expands them.
/// </remarks>
public sealed class ModelVersion
{
    /// <summary>Declares a version.</summary>
    /// <param name="name">The version name: a-z, 0-9, '.', '-', e.g. <c>2</c>.</param>
    /// <param name="assignments">The parameter values this version sets on top of its base; may be empty.</param>
    /// <param name="basedOn">The version this one builds on, or <see langword="null"/> to start from all-off.</param>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelDescriptionInvalid"/> when the name or base is not a version name.</exception>
    public ModelVersion(string name, IReadOnlyDictionary<string, string>? assignments = null, string? basedOn = null)
    {
        if (!ValueSyntax.IsVersionName(name))
        {
            throw ModelErrors.VersionNameInvalid(name);
        }
        if (basedOn is not null && !ValueSyntax.IsVersionName(basedOn))
        {
            throw ModelErrors.BaseVersionNameInvalid(name, basedOn);

        }
        Name = name;
        BasedOn = basedOn;
        var copy = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> kv in assignments ?? new Dictionary<string, string>())
        {
            copy[kv.Key] = kv.Value;
        }
        Assignments = copy.AsReadOnly();
    }

    /// <summary>The version name, e.g. <c>2</c>.</summary>
    public string Name { get; }

    /// <summary>The version this one builds on, or <see langword="null"/>.</summary>
    public string? BasedOn { get; }

    /// <summary>The assignments this version makes on top of its base, as declared (sorted by name).</summary>
    public IReadOnlyDictionary<string, string> Assignments { get; }

    /// <summary>The version as written in a configuration, e.g. <c>version=2</c>.</summary>
    /// <returns>The configuration item selecting this version.</returns>
    public override string ToString() => ValueSyntax.VersionKey + "=" + Name;
}
