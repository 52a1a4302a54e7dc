using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Host;

/// <summary>A type's capability document as found on the host: where it came from, and what it says.</summary>
/// <param name="Source">Whether it came from the type directory or from a manifest.</param>
/// <param name="Path">The file it was read from.</param>
/// <param name="Document">The parsed document: every model the type's devices can run.</param>
public sealed record TypeMigrationInfo(MigrationInfoSource Source, SysfsPath Path, MigrationInfo Document)
{
    /// <summary>
    /// The model a new device of the type runs: the document's only model, or its first (by id) when it lists
    /// several; a device's <c>migration/model</c> file says which one an existing device runs.
    /// </summary>
    public ModelDescription DefaultModel => Document.Models[0];
}
