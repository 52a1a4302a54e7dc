using System.Globalization;

namespace Vfio.DeviceModels.Diff;

/// <summary>
/// A static comparison of two implementations' migration information (an older and a newer driver), in the
/// spirit of QEMU's vmstate static checker: without any device, it lists what changed and which migration
/// directions (old to new, new to old) the change breaks, so a vendor sees it before shipping.
/// </summary>
/// <remarks>
/// The impacts follow the runtime rules of <see cref="CompatibilityChecker"/> (docs/compatibility.md): a parameter
/// the destination lacks is fine while off; a value must be allowed by the destination; an absent parameter
/// means its off value. Version findings concern definitions that name a version: migration compares expanded
/// values, but a destination device created from <c>version=N</c> gets that side's expansion.
/// </remarks>
public sealed class MigrationInfoDiff
{
    private MigrationInfoDiff(IReadOnlyList<DiffFinding> findings)
    {
        Findings = findings;
    }

    /// <summary>Every change found, models sorted by id, parameters and versions by name.</summary>
    public IReadOnlyList<DiffFinding> Findings { get; }

    /// <summary>Whether some device of the older implementation can no longer migrate to the newer one.</summary>
    public bool BreaksOldToNew => Findings.Any(f => f.OldToNew != MigrationImpact.None);

    /// <summary>Whether some device of the newer implementation cannot migrate back to the older one.</summary>
    public bool BreaksNewToOld => Findings.Any(f => f.NewToOld != MigrationImpact.None);

    /// <summary>Compares two migration information documents.</summary>
    /// <param name="older">The older implementation's document.</param>
    /// <param name="newer">The newer implementation's document.</param>
    /// <returns>The findings.</returns>
    public static MigrationInfoDiff Compare(Documents.MigrationInfo older, Documents.MigrationInfo newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var findings = new List<DiffFinding>();
        IEnumerable<DeviceModelId> ids = older.Models.Select(m => m.Id).Union(newer.Models.Select(m => m.Id)).OrderBy(id => id.ToString(), StringComparer.Ordinal);
        foreach (DeviceModelId id in ids)
        {
            ModelDescription? o = older.Find(id);
            ModelDescription? n = newer.Find(id);
            if (o is null)
            {
                findings.Add(new DiffFinding(DiffKind.ModelAdded, id, null, null, id.ToString(), MigrationImpact.None, MigrationImpact.AllConfigurations,
                    "devices of this model cannot move to the older implementation, which does not offer it"));
            }
            else if (n is null)
            {
                findings.Add(new DiffFinding(DiffKind.ModelRemoved, id, null, id.ToString(), null, MigrationImpact.AllConfigurations, MigrationImpact.None,
                    "devices of this model cannot move to the newer implementation, which no longer offers it"));
            }
            else
            {
                findings.AddRange(CompareModel(o, n));
            }
        }
        return new MigrationInfoDiff(findings);
    }

    /// <summary>Compares two descriptions of the same model.</summary>
    /// <param name="older">The older implementation's description.</param>
    /// <param name="newer">The newer implementation's description.</param>
    /// <returns>The findings.</returns>
    public static MigrationInfoDiff Compare(ModelDescription older, ModelDescription newer) =>
        Compare(new Documents.MigrationInfo([older]), new Documents.MigrationInfo([newer]));

    /// <summary>The findings one per line, or "no changes".</summary>
    /// <returns>A report.</returns>
    public override string ToString() => Findings.Count == 0 ? "no changes" : string.Join(Environment.NewLine, Findings);

    private static IEnumerable<DiffFinding> CompareModel(ModelDescription o, ModelDescription n)
    {
        DeviceModelId id = o.Id;
        foreach (string name in o.Parameters.Select(p => p.Name).Union(n.Parameters.Select(p => p.Name)).Order(StringComparer.Ordinal))
        {
            o.TryGetParameter(name, out ParameterSpec? op);
            n.TryGetParameter(name, out ParameterSpec? np);
            if (op is null)
            {
                yield return new DiffFinding(DiffKind.ParameterAdded, id, name, null, np!.ToString(), MigrationImpact.None, MigrationImpact.SomeConfigurations,
                    $"new->old breaks devices with {name} != {np.OffValue}; old devices arrive with {name} off");
                continue;
            }
            if (np is null)
            {
                yield return new DiffFinding(DiffKind.ParameterRemoved, id, name, op.ToString(), null, MigrationImpact.SomeConfigurations, MigrationImpact.None,
                    $"old->new breaks devices with {name} != {op.OffValue}; the newer implementation can only take it off");
                continue;
            }
            if (op.Type != np.Type)
            {
                yield return new DiffFinding(DiffKind.TypeChanged, id, name, ValueSyntax.TypeName(op.Type), ValueSyntax.TypeName(np.Type), MigrationImpact.AllConfigurations, MigrationImpact.AllConfigurations,
                    $"values of {name} mean different things on each side; use a new parameter name instead");
                continue;
            }
            if (op.OffValue != np.OffValue)
            {
                yield return new DiffFinding(DiffKind.OffValueChanged, id, name, op.OffValue, np.OffValue, MigrationImpact.SomeConfigurations, MigrationImpact.SomeConfigurations,
                    $"a configuration that omits {name} means {op.OffValue} on the older side and {np.OffValue} on the newer; devices at the off value are misread both ways");
            }
            if (op.InitValue != np.InitValue)
            {
                yield return new DiffFinding(DiffKind.InitValueChanged, id, name, op.InitValue, np.InitValue, MigrationImpact.None, MigrationImpact.None,
                    "only devices created with nothing pinned differ; their configuration travels with them");
            }
            AllowedValues oa = op.AllowedValues, na = np.AllowedValues;
            if (!oa.Equals(na))
            {
                bool narrowed = na.IsSubsetOf(oa), widened = oa.IsSubsetOf(na);
                if (narrowed)
                {
                    yield return new DiffFinding(DiffKind.AllowedValuesNarrowed, id, name, oa.Text, na.Text, MigrationImpact.SomeConfigurations, MigrationImpact.None,
                        $"old->new breaks devices with {name} outside {na.Text}");
                }
                else if (widened)
                {
                    yield return new DiffFinding(DiffKind.AllowedValuesWidened, id, name, oa.Text, na.Text, MigrationImpact.None, MigrationImpact.SomeConfigurations,
                        $"new->old breaks devices with {name} outside {oa.Text}");
                }
                else
                {
                    yield return new DiffFinding(DiffKind.AllowedValuesChanged, id, name, oa.Text, na.Text, MigrationImpact.SomeConfigurations, MigrationImpact.SomeConfigurations,
                        $"old->new breaks {name} outside {na.Text}; new->old breaks {name} outside {oa.Text}");
                }
            }
        }

        foreach (string v in o.Versions.Select(x => x.Name).Union(n.Versions.Select(x => x.Name)).Order(StringComparer.Ordinal))
        {
            bool inOld = o.HasVersion(v), inNew = n.HasVersion(v);
            if (!inOld)
            {
                yield return new DiffFinding(DiffKind.VersionAdded, id, v, null, Expansion(n, v), MigrationImpact.None, MigrationImpact.None,
                    $"migration compares expanded values; definitions naming version={v} cannot be created on the older implementation");
                continue;
            }
            if (!inNew)
            {
                yield return new DiffFinding(DiffKind.VersionRemoved, id, v, Expansion(o, v), null, MigrationImpact.None, MigrationImpact.None,
                    $"migration compares expanded values; definitions naming version={v} cannot be created on the newer implementation");
                continue;
            }
            // Compare full expansions with absent parameters at their off value on each side.
            string oe = Full(o, v, n), ne = Full(n, v, o);
            if (oe != ne)
            {
                yield return new DiffFinding(DiffKind.VersionRedefined, id, v, Expansion(o, v), Expansion(n, v), MigrationImpact.SomeConfigurations, MigrationImpact.SomeConfigurations,
                    $"version={v} creates different devices on each side: a destination created from a definition naming version={v} will not match the source");
            }
        }
        if (o.LatestVersion != n.LatestVersion)
        {
            yield return new DiffFinding(DiffKind.LatestChanged, id, null, o.LatestVersion, n.LatestVersion, MigrationImpact.None, MigrationImpact.None,
                "affects only the advertised newest version");
        }
    }

    private static string Expansion(ModelDescription m, string version) =>
        string.Join(',', m.ExpandVersion(version).Select(kv => kv.Key + "=" + kv.Value));

    // The version's value of every parameter either side knows, a parameter unknown to this side being off
    // (the other side's off value), so {} and {rss: off} compare equal.
    private static string Full(ModelDescription m, string version, ModelDescription other)
    {
        IReadOnlyDictionary<string, string> exp = m.ExpandVersion(version);
        IEnumerable<string> names = m.Parameters.Select(p => p.Name).Union(other.Parameters.Select(p => p.Name)).Order(StringComparer.Ordinal);
        return string.Join(',', names.Select(name =>
        {
            string value = exp.TryGetValue(name, out string? x) ? x
                : m.TryGetParameter(name, out ParameterSpec? p) ? p.OffValue
                : other.GetParameter(name).OffValue;
            return string.Create(CultureInfo.InvariantCulture, $"{name}={value}");
        }));
    }
}
