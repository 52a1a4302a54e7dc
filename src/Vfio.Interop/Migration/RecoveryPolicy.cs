using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// What <see cref="MigrationDriver"/> does after a device fails an arc, in the manner of QEMU's
/// <c>vfio_migration_set_state(new_state, recover_state)</c>: first try to reach a recovery state, then reset the
/// device (which returns it to RUNNING), and if that fails too, give up loudly with
/// <see cref="ErrorCode.RecoveryFailed"/>.
/// </summary>
/// <param name="RecoveryState">
/// The state to return to first, or null to go straight to reset. It is skipped when the device is in ERROR,
/// since vfio.h allows only <c>VFIO_DEVICE_RESET</c> out of ERROR.
/// </param>
/// <param name="ResetAllowed">Whether <c>VFIO_DEVICE_RESET</c> may be used when the recovery state cannot be reached.</param>
public sealed record RecoveryPolicy(MigrationState? RecoveryState, bool ResetAllowed)
{
    /// <summary>No recovery: the failure is reported with the state the device was left in, nothing more.</summary>
    public static RecoveryPolicy None { get; } = new(null, false);

    /// <summary>
    /// For a migration source: return to RUNNING so the guest keeps its device (docs/architecture.md, "the path of one
    /// migration": on failure only the source resumes), else reset.
    /// </summary>
    public static RecoveryPolicy Source { get; } = new(MigrationState.Running, true);

    /// <summary>
    /// For a destination: a half-loaded device holds nothing worth keeping (vfio.h: "To abort a RESUMING session
    /// the device must be reset"), so reset it.
    /// </summary>
    public static RecoveryPolicy Destination { get; } = new(null, true);

    /// <summary>Whether the policy does anything at all.</summary>
    public bool IsNone => RecoveryState is null && !ResetAllowed;
}
