namespace Vfio.DeviceModels.State;

/// <summary>Which migration directions a schema change breaks.</summary>
[Flags]
public enum MigrationDirections
{
    /// <summary>Neither direction.</summary>
    None = 0,
    /// <summary>State saved by the old implementation no longer loads into the new one.</summary>
    OldToNew = 1,
    /// <summary>State saved by the new implementation does not load into the old one.</summary>
    NewToOld = 2,
}

/// <summary>The kind of a difference between two device-state schemas.</summary>
public enum SchemaChangeKind
{
    /// <summary>A required field of the old schema is gone from the new one.</summary>
    RequiredFieldRemoved,
    /// <summary>The new schema has a required field the old one lacks.</summary>
    RequiredFieldAdded,
    /// <summary>An optional field of the old schema is gone.</summary>
    OptionalFieldRemoved,
    /// <summary>The new schema has an optional field the old one lacks.</summary>
    OptionalFieldAdded,
    /// <summary>A field kept its path but changed type.</summary>
    TypeChanged,
    /// <summary>A field changed between required and optional.</summary>
    PresenceChanged,
}

/// <summary>One difference between an old and a new device-state schema.</summary>
/// <param name="Path">The field's path.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Breaks">The directions that break because of it.</param>
/// <param name="Description">A sentence naming the field and the consequence.</param>
public sealed record SchemaChange(string Path, SchemaChangeKind Kind, MigrationDirections Breaks, string Description);
