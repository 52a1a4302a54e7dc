using Mdev.Manager;
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
            nic.SimulateTraffic(seed, packets);
            return nic.Counters;
        });
        console.Output.WriteLine($"{uuid}: rx {counters.RxPackets} packets / {counters.RxBytes} bytes, tx {counters.TxPackets} packets / {counters.TxBytes} bytes");
        return ExitCodes.Ok;
    }
}
