using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// Moves one device through the migration state machine, whichever protocol it speaks: the path is planned by
/// <see cref="MigrationArcs"/> before anything changes, then taken one direct arc at a time (one SET, or one
/// <c>device_state</c> write, per arc). The same loop runs over the kernel device and the emulated device.
/// </summary>
/// <remarks>
/// Protocol detection (<see cref="Open"/>): v2 when <c>VFIO_DEVICE_FEATURE_MIGRATION</c> reports STOP_COPY, else v1
/// when a region has the migration type capability (3/1), else <see cref="ErrorCode.MigrationUnsupported"/>.
/// A driver holds no state of its own between calls; the device is the truth, so two drivers on one device see
/// the same thing.
/// </remarks>
public sealed partial class MigrationDriver
{
    private readonly IVfioDevice _device;
    private readonly IMigrationProtocol _protocol;

    private MigrationDriver(IVfioDevice device, IMigrationProtocol protocol)
    {
        _device = device;
        _protocol = protocol;
    }

    /// <summary>The device's name, as every error of this driver reports it.</summary>
    public string DeviceName => _device.Name;

    /// <summary>The protocol the device speaks.</summary>
    public MigrationProtocolKind Protocol => _protocol.Kind;

    /// <summary>
    /// The flags the path is planned with: the device's own for v2; STOP_COPY|PRE_COPY for v1, whose region has
    /// SAVING|RUNNING (pre-copy) but no P2P state.
    /// </summary>
    public MigrationFeatures Features => _protocol.Features;

    /// <summary>Detects the device's migration protocol and returns a driver for it.</summary>
    /// <param name="device">The device; the driver does not own it.</param>
    /// <returns>The driver.</returns>
    /// <exception cref="VfioException">
    /// <see cref="ErrorCode.MigrationUnsupported"/> when the device speaks neither protocol;
    /// <see cref="ErrorCode.RegionAccessInvalid"/> for a migration region too small for its header.
    /// </exception>
    public static MigrationDriver Open(IVfioDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        MigrationFeatures features = device.GetMigrationFeatures();
        if (features.HasFlag(MigrationFeatures.StopCopy))
        {
            return new MigrationDriver(device, new V2FeatureProtocol(device, features));
        }
        if (V1RegionProtocol.TryFind(device) is { } v1)
        {
            return new MigrationDriver(device, v1);
        }
        throw InteropErrors.NoMigrationProtocol(device.Name, features);
    }

    /// <summary>The device's current state, read from the device.</summary>
    /// <returns>The state; ERROR included.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.V1StateInvalid"/> when a v1 device reports an invalid bit combination.</exception>
    public MigrationState GetState() => _protocol.GetState();

    /// <summary>
    /// Moves the device to <paramref name="target"/> along the kernel's path, one direct arc at a time, and returns
    /// the data session the final arc opens.
    /// </summary>
    /// <param name="target">The state to reach.</param>
    /// <param name="recovery">What to do if an arc fails; null or <see cref="RecoveryPolicy.None"/> for nothing.</param>
    /// <returns>
    /// The session opened by the final arc (entering PRE_COPY or STOP_COPY from outside the saving group, or
    /// RESUMING), or null; null also when the device is already in <paramref name="target"/> (nothing is sent).
    /// PRE_COPY to STOP_COPY opens none: the pre-copy session carries on (vfio.h: the saving
    /// states "share a data transfer session"). The caller owns and disposes the stream.
    /// </returns>
    /// <exception cref="VfioException">
    /// Before any change to the device: <see cref="ErrorCode.IllegalStateArc"/> for a state the device lacks,
    /// <see cref="ErrorCode.UnsafeStateArc"/> for STOP_COPY to a PRE_COPY state.
    /// </exception>
    /// <exception cref="MigrationStateException">
    /// <see cref="ErrorCode.DeviceRefusedState"/> or <see cref="ErrorCode.DeviceInErrorState"/> when an arc fails
    /// (or the device is already in ERROR), with the state it was left in;
    /// <see cref="ErrorCode.RecoveryFailed"/> when recovery was asked for and failed too.
    /// </exception>
    public MigrationDataStream? TransitionTo(MigrationState target, RecoveryPolicy? recovery = null)
    {
        MigrationState current = _protocol.GetState();
        if (current == MigrationState.Error)
        {
            throw Failure(target, current, target, MigrationState.Error, null, recovery,
                $"{DeviceName}: the device is in ERROR and must be reset before it can go to {target}");
        }

        IReadOnlyList<MigrationState> path = Plan(current, target);
        MigrationDataStream? data = null;
        MigrationState at = current;
        for (int i = 0; i < path.Count; i++)
        {
            MigrationState next = path[i];
            MigrationDataStream? opened;
            try
            {
                opened = _protocol.Step(at, next);
            }
            catch (VfioException ex) when (ex is not MigrationStateException)
            {
                MigrationState? left = TryGetState(out VfioException? queryFailure);
                string leftText = left?.ToString() ?? $"unknown ({queryFailure?.Message})";
                throw Failure(target, at, next, left, ex, recovery,
                    $"{DeviceName}: the device refused the arc {at} -> {next} on the way to {target} and is left in {leftText}: {ex.Message}");
            }
            if (i < path.Count - 1)
            {
                // vfio.h never opens a session on an interior arc; mtty WARN_ONs on it. Do not leak one if a device does.
                opened?.Dispose();
            }
            else
            {
                data = opened;
            }
            at = next;
        }
        return data;
    }

    /// <summary>
    /// The device's estimate of the STOP_COPY data: <c>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE</c> for v2, <c>pending_bytes</c>
    /// for v1 (which exists only while saving).
    /// </summary>
    /// <returns>The estimate in bytes.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FeatureUnsupported"/> where the device cannot say.</exception>
    public ulong GetStopCopySizeEstimate() => _protocol.GetStopCopySize();

    private IReadOnlyList<MigrationState> Plan(MigrationState current, MigrationState target)
    {
        try
        {
            return MigrationArcs.PlanPath(current, target, _protocol.Features);
        }
        catch (VfioException ex) when (ex.Code is ErrorCode.IllegalStateArc or ErrorCode.UnsafeStateArc)
        {
            throw InteropErrors.ForDevice(DeviceName, ex);

        }
    }

    private MigrationState? TryGetState(out VfioException? failure)
    {
        failure = null;
        try
        {
            return _protocol.GetState();
        }
        catch (VfioException ex)
        {
            failure = ex;
            return null;
        }
    }
}
