namespace Vfio.Migration;

/// <summary>Which kernel migration interface a device speaks.</summary>
public enum MigrationProtocolKind
{
    /// <summary>
    /// The v2 <c>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE</c> state machine with a <c>data_fd</c> per session
    /// (Linux 5.18+). Preferred whenever the device reports <c>VFIO_MIGRATION_STOP_COPY</c>.
    /// </summary>
    V2Feature = 1,

    /// <summary>
    /// The v1 migration region (<c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c>, subtype 1; Linux 5.8-5.17): state
    /// bits and the data window live in a device region.
    /// </summary>
    V1Region = 2,
}
