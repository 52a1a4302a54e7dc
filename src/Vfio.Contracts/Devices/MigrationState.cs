namespace Vfio.Devices;

/// <summary>
/// A state of the v2 migration state machine (<c>enum vfio_device_mig_state</c>, Linux 5.18+).
/// </summary>
/// <remarks>
/// The numbers are the kernel's and are fixed by the ABI (checked against the header by the ABI test).
/// They are unrelated to the v1 region bits of <see cref="V1DeviceState"/>, which reuse some of the same
/// names with different meanings; the two types never convert into each other implicitly.
/// </remarks>
public enum MigrationState : uint
{
    /// <summary><c>VFIO_DEVICE_STATE_ERROR</c>: the device failed a transition and must be reset.</summary>
    Error = 0,
    /// <summary><c>VFIO_DEVICE_STATE_STOP</c>: not running, no data session.</summary>
    Stop = 1,
    /// <summary><c>VFIO_DEVICE_STATE_RUNNING</c>: operating normally.</summary>
    Running = 2,
    /// <summary><c>VFIO_DEVICE_STATE_STOP_COPY</c>: stopped, the data session streams the final state.</summary>
    StopCopy = 3,
    /// <summary><c>VFIO_DEVICE_STATE_RESUMING</c>: stopped, the data session accepts state to load.</summary>
    Resuming = 4,
    /// <summary><c>VFIO_DEVICE_STATE_RUNNING_P2P</c>: running, but not initiating peer-to-peer DMA.</summary>
    RunningP2P = 5,
    /// <summary><c>VFIO_DEVICE_STATE_PRE_COPY</c>: running, the data session streams initial state.</summary>
    PreCopy = 6,
    /// <summary><c>VFIO_DEVICE_STATE_PRE_COPY_P2P</c>: pre-copy while P2P-quiesced.</summary>
    PreCopyP2P = 7,
}

/// <summary>
/// The v1 migration region's <c>device_state</c> bits (Linux 5.8-5.17 <c>VFIO_DEVICE_STATE_V1_*</c>).
/// </summary>
/// <remarks>
/// Valid combinations are 0 (stop), RUNNING, SAVING|RUNNING (pre-copy), SAVING (stop-and-copy) and
/// RESUMING; SAVING|RESUMING and RESUMING|RUNNING combinations are invalid (the header's
/// <c>VFIO_DEVICE_STATE_VALID</c>).
/// </remarks>
[Flags]
public enum V1DeviceState : uint
{
    /// <summary>No bit set: the device is stopped.</summary>
    Stop = 0,
    /// <summary><c>VFIO_DEVICE_STATE_V1_RUNNING</c>.</summary>
    Running = 1 << 0,
    /// <summary><c>VFIO_DEVICE_STATE_V1_SAVING</c>.</summary>
    Saving = 1 << 1,
    /// <summary><c>VFIO_DEVICE_STATE_V1_RESUMING</c>.</summary>
    Resuming = 1 << 2,
}

/// <summary>The migration flags a v2 device reports through <c>VFIO_DEVICE_FEATURE_MIGRATION</c>.</summary>
[Flags]
public enum MigrationFeatures : ulong
{
    /// <summary>No migration support.</summary>
    None = 0,
    /// <summary><c>VFIO_MIGRATION_STOP_COPY</c>: the mandatory STOP, RUNNING, STOP_COPY, RESUMING states.</summary>
    StopCopy = 1 << 0,
    /// <summary><c>VFIO_MIGRATION_P2P</c>: adds RUNNING_P2P.</summary>
    P2P = 1 << 1,
    /// <summary><c>VFIO_MIGRATION_PRE_COPY</c>: adds PRE_COPY (and PRE_COPY_P2P with P2P).</summary>
    PreCopy = 1 << 2,
}

/// <summary>What <c>VFIO_MIG_GET_PRECOPY_INFO</c> reports during pre-copy.</summary>
/// <param name="InitialBytes">Bytes of initial data not yet read; the device prefers they be read before STOP_COPY.</param>
/// <param name="DirtyBytes">Bytes of data that changed since they were last read, an estimate.</param>
public readonly record struct PrecopyInfo(ulong InitialBytes, ulong DirtyBytes);
