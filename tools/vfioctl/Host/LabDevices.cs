using Vfio.Ctl.Cli;
using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Lab;
using Vfio.Devices;
using Vfio.Emulation;

namespace Vfio.Ctl.Host;

/// <summary>
/// The lab verbs' way to device code: <c>traffic</c> (and the demo's traffic) drive a device through the lab contract
/// (<see cref="ILabTraffic"/>), which any plug-in's device may implement, never through a sample class.
/// </summary>
internal static class LabDevices
{
    /// <summary>Opens the device, runs simulated traffic through its lab contract, and closes it (which persists its state).</summary>
    /// <exception cref="VfioException">E6056 when the device's code does not implement <see cref="ILabTraffic"/> (or runs in no
    /// process, as a kernel device); E6017 when it is not executing.</exception>
    public static LabTrafficCounters SimulateTraffic(IDeviceOpener opener, MdevUuid uuid, int seed, int units)
    {
        using IVfioDevice device = opener.Open(uuid);
        IMigrationBackend? code = EmulatedDeviceOpener.DeviceCode(device);
        if (code is not ILabTraffic lab)
        {
            throw CliErrors.LabContractMissing(uuid.ToString(), code?.GetType().FullName, typeof(ILabTraffic).FullName);
        }
        // Traffic flows only while the device executes; a stopped one (after a save, mid-migration) is a state
        // conflict to name, not a crash.
        if (code.State is not (MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P))
        {
            throw CliErrors.TrafficNeedsRunning(uuid.ToString(), code.State.ToString());
        }
        return lab.SimulateTraffic(seed, units);
    }
}
