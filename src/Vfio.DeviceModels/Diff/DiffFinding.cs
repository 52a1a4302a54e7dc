namespace Vfio.DeviceModels.Diff;

/// <summary>One change between an older and a newer implementation of a model, with what it breaks each way.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="Model">The model concerned.</param>
/// <param name="Subject">The parameter or version concerned, or <see langword="null"/> for a whole model.</param>
/// <param name="OldValue">The older side's value (allowed values, off value, expansion...), if any.</param>
/// <param name="NewValue">The newer side's value, if any.</param>
/// <param name="OldToNew">Impact on devices of the older implementation migrating to the newer one.</param>
/// <param name="NewToOld">Impact on devices of the newer implementation migrating to the older one.</param>
/// <param name="Explanation">Which configurations are affected and why.</param>
public sealed record DiffFinding(
    DiffKind Kind,
    DeviceModelId Model,
    string? Subject,
    string? OldValue,
    string? NewValue,
    MigrationImpact OldToNew,
    MigrationImpact NewToOld,
    string Explanation)
{
    /// <summary>One line: kind, subject, values and impact each way.</summary>
    /// <returns>A line for reports.</returns>
    public override string ToString() =>
        $"{Model} {Kind} {Subject}: {OldValue ?? "-"} -> {NewValue ?? "-"} (old->new: {OldToNew}, new->old: {NewToOld}) {Explanation}";
}
