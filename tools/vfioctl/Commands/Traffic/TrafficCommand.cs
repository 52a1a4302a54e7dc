using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Lab;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Traffic;

/// <summary><c>vfioctl traffic</c>: drives a device's deterministic traffic simulation through the lab contract (<see cref="ILabTraffic"/>).</summary>
internal sealed class TrafficCommand(IDeviceOpener opener, CliConsole console)
{
    public int Execute(MdevUuid uuid, int packets, int seed)
    {
        LabTrafficCounters counters = LabDevices.SimulateTraffic(opener, uuid, seed, packets);
        console.Output.WriteLine($"{uuid}: rx {counters.RxPackets} packets / {counters.RxBytes} bytes, tx {counters.TxPackets} packets / {counters.TxBytes} bytes");
        return ExitCodes.Ok;
    }
}
