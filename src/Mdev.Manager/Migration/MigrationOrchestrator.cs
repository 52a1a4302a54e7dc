using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vfio;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;

namespace Mdev.Manager;

/// <summary>
/// Migrates a mediated device's state by ARCHITECTURE.md's four steps: (1) same model, (2) the destination accepts
/// every source parameter and value, both checked with every problem reported before any device state moves;
/// (3) save on the source (pre-copy rounds while it runs, then stop-copy) through the stream envelope into the
/// destination, whose side checks the stream header before it writes a byte into RESUMING; (4) on success only the
/// destination resumes, on failure only the source does.
/// </summary>
/// <remarks>
/// <para>Failures are results, not exceptions: every method returns a <see cref="MigrationOutcome"/> with the error
/// code and the state each side was left in. Rollback puts the source back in RUNNING through
/// <see cref="MigrationDriver"/>'s recovery policy (its recovery state, else a reset), resets the destination and
/// leaves it stopped, and removes a destination device the orchestrator created. Never are both sides running; when
/// neither is (a source stopped by <see cref="SaveAsync"/>, or a rollback that failed) the outcome says so.</para>
/// <para>A failure the orchestrator cannot understand (anything other than a <see cref="VfioException"/>, an I/O
/// error or cancellation, such as the emulated host's injected crash) is treated as the process dying: nothing is
/// rolled back, the exception propagates, and <see cref="Resume"/> or <see cref="Abort"/> clean up afterwards.</para>
/// <para><see cref="SaveAsync"/> and <see cref="LoadAsync"/> are the two halves for cross-host use
/// (<c>vfioctl save A | ssh host vfioctl load B</c>).</para>
/// </remarks>
public sealed partial class MigrationOrchestrator
{
    private readonly ILogger _logger;

    /// <summary>Creates an orchestrator.</summary>
    /// <param name="logger">Where arcs, rounds and rollbacks are logged; null for none.</param>
    public MigrationOrchestrator(ILogger<MigrationOrchestrator>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Brings a source that a save left stopped (or a crash left anywhere) back to RUNNING, through the source
    /// recovery policy: its recovery state RUNNING, else a reset. Used when the load on the other side failed.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <returns>The outcome; <see cref="ErrorCode.DeviceStateConflict"/> when the device already runs.</returns>
    public MigrationOutcome Resume(MigrationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var outcome = new MigrationOutcome { Source = source.Device };
        try
        {
            using OpenedDevice device = Open(source.Host, source.Device);
            MigrationState state = device.Driver.GetState();
            if (state == MigrationState.Running)
            {
                outcome.SourceState = state;
                outcome.Exception = new VfioException(ErrorCode.DeviceStateConflict,
                    $"mediated device {source.Device} is already RUNNING; there is nothing to resume")
                {
                    Device = source.Device.ToString(),
                    Value = state.ToString(),
                    Expected = "a stopped source",
                };
                return outcome;
            }
            (RecoveryOutcome how, MigrationState now) = device.Driver.Recover(RecoveryPolicy.Source);
            _logger.RolledBack(device.Name, now, how.ToString(), "resume");
            outcome.SourceState = now;
        }
        catch (VfioException e)
        {
            outcome.Exception = e;
        }
        return outcome;
    }

    /// <summary>
    /// Ends a migration on a device that must not run the guest (a destination after a crash, or a source whose state
    /// now runs elsewhere): the device is reset (<c>VFIO_DEVICE_RESET</c>, the only way out of RESUMING and ERROR) and
    /// left in STOP.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <param name="device">The device.</param>
    /// <returns>The outcome, with the device's final state in <see cref="MigrationOutcome.DestinationState"/>.</returns>
    public MigrationOutcome Abort(MigrationHost host, MdevUuid device)
    {
        ArgumentNullException.ThrowIfNull(host);
        var outcome = new MigrationOutcome { Destination = device };
        try
        {
            using OpenedDevice opened = Open(host, device);
            opened.Touched = true;
            outcome.DestinationState = ResetAndStop(opened, "abort");
        }
        catch (VfioException e)
        {
            outcome.Exception = e;
        }
        return outcome;
    }

    private static OpenedDevice Open(MigrationHost host, MdevUuid uuid)
    {
        DeviceConfiguration configuration = host.Host.ReadConfiguration(uuid);
        return Open(host, uuid, configuration);
    }

    private static OpenedDevice Open(MigrationHost host, MdevUuid uuid, DeviceConfiguration configuration)
    {
        IVfioDevice device = host.Opener.Open(uuid);
        try
        {
            return new OpenedDevice(uuid, device, MigrationDriver.Open(device), configuration);
        }
        catch (VfioException)
        {
            device.Dispose();
            throw;
        }
    }

    private MigrationDataStream? Transition(OpenedDevice device, MigrationState target)
    {
        device.Touched = true;
        MigrationState from = device.Driver.GetState();
        _logger.Arc(device.Name, from, target);
        return device.Driver.TransitionTo(target);
    }

    private static MigrationState? TryGetState(OpenedDevice device)
    {
        try
        {
            return device.Driver.GetState();
        }
        catch (VfioException)
        {
            return null;
        }
    }

    // What the orchestrator may roll back after: its own kind of failure. Anything else is a bug or a dead process.
    private static bool IsRecoverable(Exception e) => e is VfioException or IOException or OperationCanceledException;

    private static VfioException AsVfio(Exception e, string device, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested || e is OperationCanceledException => new VfioException(ErrorCode.MigrationCancelled,
            $"the migration of {device} was cancelled", e)
        {
            Device = device,
        },
        VfioException v => v,
        _ => new VfioException(ErrorCode.KernelCallFailed, $"{device}: I/O failed during the migration: {e.Message}", e) { Device = device },
    };
}
