namespace Vfio.Migration;

/// <summary>What recovery did after a failed arc.</summary>
public enum RecoveryOutcome
{
    /// <summary>No recovery was asked for.</summary>
    NotAttempted = 0,

    /// <summary>The device reached the policy's recovery state.</summary>
    ReachedRecoveryState = 1,

    /// <summary>The device was reset (<c>VFIO_DEVICE_RESET</c>) and is in RUNNING or the recovery state.</summary>
    Reset = 2,

    /// <summary>Neither the recovery state nor a reset worked; the device's state is unknown or ERROR.</summary>
    Failed = 3,
}
