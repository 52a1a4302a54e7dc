using Vfio.Manager.Names;

namespace Vfio.Manager.Definitions;

/// <summary>
/// A persistent device definition in mdevctl's format: the file <c>&lt;config-root&gt;/&lt;parent&gt;/&lt;uuid&gt;</c> holding
/// <c>{"mdev_type": "…", "start": "manual"|"auto", "attrs": [{"&lt;path&gt;": "&lt;value&gt;"}, …]}</c>.
/// </summary>
/// <param name="Uuid">The device's UUID (the file name).</param>
/// <param name="Parent">The parent device (the folder name).</param>
/// <param name="Type">The type to create.</param>
/// <param name="AutoStart">Whether the device is created at boot or when its parent appears (<c>"start": "auto"</c>).</param>
/// <param name="Attributes">
/// Attribute writes made after creation, in order, each a path relative to the device directory (such as
/// <c>migration/rss</c>) and the value; mdevctl's start() writes them in this order and removes the device if one fails.
/// </param>
public sealed record MdevDefinition(
    MdevUuid Uuid,
    ParentDeviceName Parent,
    MdevTypeName Type,
    bool AutoStart,
    IReadOnlyList<KeyValuePair<string, string>> Attributes)
{
    /// <summary>Whether two definitions say the same (records compare lists by reference; this compares their items in order).</summary>
    /// <param name="other">The other definition.</param>
    /// <returns>True when every field and every attribute write, in order, are equal.</returns>
    public bool SameAs(MdevDefinition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Uuid == other.Uuid && Parent == other.Parent && Type == other.Type && AutoStart == other.AutoStart
            && Attributes.SequenceEqual(other.Attributes);
    }
}
