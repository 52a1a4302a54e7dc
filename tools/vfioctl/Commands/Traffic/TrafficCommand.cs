using Mdev.Manager;
using Vfio;
using Vfio.Devices;
using Vfio.Samples.Nic;
using Vfioctl.Cli;
using Vfioctl.Host;

namespace Vfioctl.Commands.Traffic;

/// <summary><c>vfioctl traffic</c>: drives the sample NIC's deterministic traffic simulation.</summary>
internal sealed class TrafficCommand(IDeviceOpener opener, CliConsole console)
{
    public int Execute(MdevUuid uuid, int packets, int seed)
    {
        NicCounters counters = EmulatedDevices.UseNic(opener, uuid, nic =>
        {
            // Traffic flows only while the device executes; a stopped one (after a save, mid-migration) is a state
            // conflict to name, not a crash.
            MigrationState state = ((IMigrationBackend)nic).State;
            if (state is not (MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P))
            {
                throw new VfioException(ErrorCode.DeviceStateConflict,
                    $"device {uuid} is in {state.ToString()}; traffic flows only while it runs ('vfioctl resume {uuid}' runs a stopped source again)")
                {
                    Device = uuid.ToString(),
                    Value = state.ToString(),
                    Expected = "RUNNING",
                };
            }
            nic.SimulateTraffic(seed, packets);
            return nic.Counters;
        });
        console.Output.WriteLine($"{uuid}: rx {counters.RxPackets} packets / {counters.RxBytes} bytes, tx {counters.TxPackets} packets / {counters.TxBytes} bytes");
        return ExitCodes.Ok;
    }
}
