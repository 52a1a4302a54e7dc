using System.Diagnostics.CodeAnalysis;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// Everything one implementation says about a device model: its id, its migration parameters and its
/// versions. A vendor writes it once (directly or with <see cref="ModelDescriptionBuilder"/>) and it drives
/// validation at creation, compatibility checks, capability documents and docs.
/// </summary>
/// <remarks>
/// Two hosts may hold different descriptions of the same model id: they are different implementation
/// generations (an old driver that lacks <c>rss</c>, a new one that allows larger ranges). The
/// description is validated as a whole when built and is immutable afterwards. Version expansion is
/// computed once, here, so every consumer sees the same deterministic result.
/// </remarks>
public sealed class ModelDescription
{
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, ModelVersion> _versions;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _expanded;

    /// <summary>Builds and validates a description.</summary>
    /// <param name="id">The model id.</param>
    /// <param name="parameters">The migration parameters; names must be unique.</param>
    /// <param name="versions">The versions in the order they were introduced; may be empty.</param>
    /// <param name="latestVersion">The newest version; required when there are versions, must be one of them.</param>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.ModelDescriptionInvalid"/> for a duplicate parameter or version, a base that is unknown
    /// or loops, an assignment to an unknown parameter, a missing or unknown latest version, a <c>since</c> naming an
    /// unknown version, or a version declared before a parameter's <c>since</c> that turns that parameter on;
    /// <see cref="ErrorCode.ValueNotAllowed"/> for a version assigning a value that is not allowed.
    /// </exception>
    public ModelDescription(DeviceModelId id, IEnumerable<ParameterSpec> parameters, IEnumerable<ModelVersion>? versions = null, string? latestVersion = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (id.Domain is null)
        {
            throw Invalid(id, "the model id is empty", null, null);
        }
        Id = id;

        ParameterSpec[] specs = parameters.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        _index = new Dictionary<string, int>(specs.Length, StringComparer.Ordinal);
        for (int i = 0; i < specs.Length; i++)
        {
            if (!_index.TryAdd(specs[i].Name, i))
            {
                throw Invalid(id, $"parameter '{specs[i].Name}' is declared twice", specs[i].Name, null);
            }
        }
        Parameters = specs;

        ModelVersion[] declared = versions?.ToArray() ?? [];
        _versions = new Dictionary<string, ModelVersion>(StringComparer.Ordinal);
        foreach (ModelVersion v in declared)
        {
            if (!_versions.TryAdd(v.Name, v))
            {
                throw Invalid(id, $"version '{v.Name}' is declared twice", null, v.Name);
            }
        }
        Versions = declared;

        if (declared.Length == 0 && latestVersion is not null)
        {
            throw Invalid(id, $"latest version '{latestVersion}' is given but the model declares no versions", null, latestVersion);
        }
        if (declared.Length > 0 && (latestVersion is null || !_versions.ContainsKey(latestVersion)))
        {
            throw Invalid(id, $"latest version '{latestVersion}' is not one of the declared versions ({string.Join(", ", declared.Select(v => v.Name))})", null, latestVersion);
        }
        LatestVersion = latestVersion;

        foreach (ParameterSpec p in specs)
        {
            if (p.Since is not null && declared.Length > 0 && !_versions.ContainsKey(p.Since))
            {
                throw Invalid(id, $"parameter '{p.Name}' says it was introduced in version '{p.Since}', which is not declared", p.Name, p.Since);
            }
        }

        _expanded = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (ModelVersion v in declared)
        {
            Expand(v, new HashSet<string>(StringComparer.Ordinal));
        }
        CheckSince(declared);
    }

    /// <summary>The model id.</summary>
    public DeviceModelId Id { get; }

    /// <summary>The migration parameters, sorted by name (ordinal).</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The versions in declaration order (oldest first).</summary>
    public IReadOnlyList<ModelVersion> Versions { get; }

    /// <summary>The newest version, or <see langword="null"/> when the model declares no versions.</summary>
    public string? LatestVersion { get; }

    /// <summary>Looks up a parameter by name (ordinal).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="spec">The spec when found.</param>
    /// <returns><see langword="true"/> when the model has the parameter.</returns>
    public bool TryGetParameter(string name, [NotNullWhen(true)] out ParameterSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_index.TryGetValue(name, out int i))
        {
            spec = Parameters[i];
            return true;
        }
        spec = null;
        return false;
    }

    /// <summary>Gets a parameter by name.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterUnknown"/> naming the parameter and the known ones.</exception>
    public ParameterSpec GetParameter(string name) =>
        TryGetParameter(name, out ParameterSpec? spec) ? spec : throw UnknownParameter(name, null);

    /// <summary>Whether the model declares a version of that name.</summary>
    /// <param name="name">The version name.</param>
    /// <returns><see langword="true"/> when declared.</returns>
    public bool HasVersion(string name) => _versions.ContainsKey(name);

    /// <summary>
    /// The assignments a version stands for, after following its bases (base first, then each version's own
    /// assignments over it), in canonical values and sorted by name. Parameters not listed are at their off value.
    /// </summary>
    /// <param name="name">The version name.</param>
    /// <returns>The expanded assignments.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.VersionUnknown"/> naming the version and the declared ones.</exception>
    public IReadOnlyDictionary<string, string> ExpandVersion(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _expanded.TryGetValue(name, out IReadOnlyDictionary<string, string>? map) ? map : throw UnknownVersion(name, null);
    }

    /// <summary>The index of a parameter in <see cref="Parameters"/>, or -1.</summary>
    internal int IndexOf(string name) => _index.TryGetValue(name, out int i) ? i : -1;

    internal DeviceModelException UnknownParameter(string name, string? device, string? value = null) =>
        ModelErrors.ParameterUnknown(this, name, device, value);

    internal DeviceModelException UnknownVersion(string name, string? device) =>
        ModelErrors.VersionUnknown(this, name, device);

    internal static string DevicePrefix(string? device) => device is null ? string.Empty : $"device {device}: ";

    private IReadOnlyDictionary<string, string> Expand(ModelVersion v, HashSet<string> visiting)
    {
        if (_expanded.TryGetValue(v.Name, out IReadOnlyDictionary<string, string>? done))
        {
            return done;
        }
        if (!visiting.Add(v.Name))
        {
            throw Invalid(Id, $"version '{v.Name}' is based on itself through {string.Join(" -> ", visiting)}", null, v.Name);
        }
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (v.BasedOn is not null)
        {
            if (!_versions.TryGetValue(v.BasedOn, out ModelVersion? b))
            {
                throw Invalid(Id, $"version '{v.Name}' is based on '{v.BasedOn}', which is not declared", null, v.BasedOn);
            }
            foreach (KeyValuePair<string, string> kv in Expand(b, visiting))
            {
                map[kv.Key] = kv.Value;
            }
        }
        foreach (KeyValuePair<string, string> kv in v.Assignments)
        {
            if (!TryGetParameter(kv.Key, out ParameterSpec? spec))
            {
                throw Invalid(Id, $"version '{v.Name}' assigns parameter '{kv.Key}', which the model does not have", kv.Key, kv.Value);
            }
            map[kv.Key] = spec.Normalize(kv.Value, Id);
        }
        IReadOnlyDictionary<string, string> result = map.AsReadOnly();
        _expanded[v.Name] = result;
        visiting.Remove(v.Name);
        return result;
    }

    // A parameter introduced in version N cannot be on in a version declared before N: that version's
    // devices predate the feature, and a source that predates a parameter means its off value.
    private void CheckSince(ModelVersion[] declared)
    {
        for (int i = 0; i < declared.Length; i++)
        {
            foreach (KeyValuePair<string, string> kv in _expanded[declared[i].Name])
            {
                ParameterSpec p = GetParameter(kv.Key);
                if (p.Since is null || kv.Value == p.OffValue)
                {
                    continue;
                }
                int introduced = Array.FindIndex(declared, d => d.Name == p.Since);
                if (introduced > i)
                {
                    throw Invalid(Id, $"version '{declared[i].Name}' sets '{p.Name}={kv.Value}' but '{p.Name}' was introduced in the later version '{p.Since}'", p.Name, kv.Value);
                }
            }
        }
    }

    private static DeviceModelException Invalid(DeviceModelId id, string why, string? parameter, string? value) =>
        ModelErrors.DescriptionInvalid(id, why, parameter, value);

}
