namespace Vfio.DeviceModels.State;

/// <summary>Compares the device-state schemas of two implementations of a model.</summary>
/// <remarks>
/// The rules follow from the loader's behaviour (an unread required field fails the load, an unread optional
/// field is skipped):
/// a required field removed in the new implementation breaks old-to-new (the old state carries a required field
/// the new loader does not read); a required field added breaks new-to-old (the old loader does not know it).
/// Either may break the other direction too, if a loader insists on a field the other side never writes; that
/// is decided by the loader's <c>Read</c>/<c>TryRead</c> calls, which a schema cannot see. Type changes break
/// both directions. Optional fields and presence changes break nothing.
/// </remarks>
public static class DeviceStateSchemaDiff
{
    /// <summary>Lists every difference from <paramref name="oldSchema"/> to <paramref name="newSchema"/>.</summary>
    /// <param name="oldSchema">The schema of the older implementation.</param>
    /// <param name="newSchema">The schema of the newer implementation.</param>
    /// <returns>The changes, removed and changed fields in old order, then added fields in new order.</returns>
    public static IReadOnlyList<SchemaChange> Compare(DeviceStateSchema oldSchema, DeviceStateSchema newSchema)
    {
        ArgumentNullException.ThrowIfNull(oldSchema);
        ArgumentNullException.ThrowIfNull(newSchema);
        var newByPath = newSchema.Fields.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var oldPaths = oldSchema.Fields.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var changes = new List<SchemaChange>();
        foreach (StateFieldSchema o in oldSchema.Fields)
        {
            if (!newByPath.TryGetValue(o.Path, out StateFieldSchema? n))
            {
                changes.Add(o.Required
                    ? new SchemaChange(o.Path, SchemaChangeKind.RequiredFieldRemoved, MigrationDirections.OldToNew,
                        $"required field '{o.Path}' was removed: state saved by the old implementation fails to load into the new one")
                    : new SchemaChange(o.Path, SchemaChangeKind.OptionalFieldRemoved, MigrationDirections.None,
                        $"optional field '{o.Path}' was removed: the new implementation skips it when loading old state"));
            }
            else if (n.Type != o.Type)
            {
                changes.Add(new SchemaChange(o.Path, SchemaChangeKind.TypeChanged, MigrationDirections.OldToNew | MigrationDirections.NewToOld,
                    $"field '{o.Path}' changed from {DeviceStateReader.TypeName(o.Type)} to {DeviceStateReader.TypeName(n.Type)}: neither side can read the other's value"));
            }
            else if (n.Required != o.Required)
            {
                changes.Add(new SchemaChange(o.Path, SchemaChangeKind.PresenceChanged, MigrationDirections.None,
                    $"field '{o.Path}' changed from {(o.Required ? "required" : "optional")} to {(n.Required ? "required" : "optional")}: both sides know it"));
            }
        }
        foreach (StateFieldSchema n in newSchema.Fields.Where(f => !oldPaths.Contains(f.Path)))
        {
            string since = n.Since is null ? "" : $" (since {n.Since})";
            changes.Add(n.Required
                ? new SchemaChange(n.Path, SchemaChangeKind.RequiredFieldAdded, MigrationDirections.NewToOld,
                    $"required field '{n.Path}'{since} was added: state saved by the new implementation fails to load into the old one")
                : new SchemaChange(n.Path, SchemaChangeKind.OptionalFieldAdded, MigrationDirections.None,
                    $"optional field '{n.Path}'{since} was added: the old implementation skips it"));
        }
        return changes;
    }
}
