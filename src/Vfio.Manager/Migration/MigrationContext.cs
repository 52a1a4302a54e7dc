using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Manager.Migration;

/// <summary>
/// What every step of a save, load, migration, resume or abort shares: the log, the checkpoint hook, opening a device
/// and asking it for an arc, and the two recovery policies (a source back to RUNNING; a destination reset and stopped).
/// </summary>
internal sealed class MigrationContext(ILogger logger, Action<MigrationCheckpoint>? checkpoint)
{
    public ILogger Logger { get; } = logger;

    /// <summary>Calls the checkpoint hook (the fault matrix blocks here to be killed at an exact point).</summary>
    public void Reach(MigrationCheckpoint point) => checkpoint?.Invoke(point);

    public static OpenedDevice Open(MigrationEndpoint endpoint, MdevUuid uuid) => Open(endpoint, uuid, endpoint.Tree.ReadConfiguration(uuid));

    public static OpenedDevice Open(MigrationEndpoint endpoint, MdevUuid uuid, Vfio.DeviceModels.DeviceConfiguration configuration)
    {
        IVfioDevice device = endpoint.Opener.Open(uuid, configuration);
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

    /// <summary>Whether a device exists on an endpoint.</summary>
    public static bool Exists(MigrationEndpoint endpoint, MdevUuid device) => endpoint.Tree.Sysfs.Exists(endpoint.Tree.Sysfs.Layout.Device(device));

    /// <summary>Asks for one arc; the device counts as touched from here on (a failure must then be rolled back).</summary>
    public MigrationDataStream? Transition(OpenedDevice device, MigrationState target)
    {
        device.Touched = true;
        MigrationState from = device.Driver.GetState();
        Logger.Arc(device.Name, from, target);
        return device.Driver.TransitionTo(target);
    }

    public static MigrationState? TryGetState(OpenedDevice device)
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

    /// <summary>The source policy: back to RUNNING, else VFIO_DEVICE_RESET (which returns the device to RUNNING too).</summary>
    public MigrationState? RollBackSource(OpenedDevice src, string code)
    {
        try
        {
            (RecoveryOutcome how, MigrationState state) = src.Driver.Recover(RecoveryPolicy.Source);
            Logger.RolledBack(src.Name, state, how.ToString(), code);
            return state;
        }
        catch (VfioException e)
        {
            Logger.RollbackFailed(src.Name, e.Message);
            return TryGetState(src);
        }
    }

    /// <summary>An untouched destination holds nothing of the source, but must not be left running either.</summary>
    public MigrationState? Stop(OpenedDevice dst, string code)
    {
        try
        {
            Transition(dst, MigrationState.Stop)?.Dispose();
            return dst.Driver.GetState();
        }
        catch (VfioException)
        {
            return ResetAndStop(dst, code);
        }
    }

    /// <summary>
    /// vfio.h: "To abort a RESUMING session the device must be reset"; reset returns the device to RUNNING, and a
    /// destination must not run a guest it never received, so it is then stopped.
    /// </summary>
    public MigrationState? ResetAndStop(OpenedDevice dst, string code)
    {
        try
        {
            (RecoveryOutcome how, _) = dst.Driver.Recover(RecoveryPolicy.Destination);
            Transition(dst, MigrationState.Stop)?.Dispose();
            MigrationState state = dst.Driver.GetState();
            Logger.RolledBack(dst.Name, state, how.ToString(), code);
            return state;
        }
        catch (VfioException e)
        {
            Logger.RollbackFailed(dst.Name, e.Message);
            return TryGetState(dst);
        }
    }

    /// <summary>What a run may roll back after: its own kind of failure. Anything else is a bug or a dead process.</summary>
    public static bool IsRecoverable(Exception e) => e is VfioException or IOException or OperationCanceledException;

    public static VfioException AsVfio(Exception e, string device, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested || e is OperationCanceledException => ManagerErrors.MigrationCancelled(device, e),
        VfioException v => v,
        _ => ManagerErrors.MigrationIoFailed(device, e),
    };

    public static VfioException NoSession(OpenedDevice device, MigrationState state) =>
        ManagerErrors.NoSession(device.Name, state);

}
