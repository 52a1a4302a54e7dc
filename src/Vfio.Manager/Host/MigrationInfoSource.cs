namespace Vfio.Manager.Host;

/// <summary>Where a type's capability document was found.</summary>
public enum MigrationInfoSource
{
    /// <summary>The type directory's own <c>migration_info.json</c> (the emulated host, or kernels that allow it).</summary>
    TypeAttribute = 1,

    /// <summary>A manifest shipped with the driver, <c>&lt;manifest-dir&gt;/&lt;driver&gt;/&lt;type&gt;.json</c>.</summary>
    Manifest = 2,
}
