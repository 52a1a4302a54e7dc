using Vfio.DeviceModels.Lab;

namespace Vfio.Samples.Nic;

// The lab contract: 'vfioctl traffic' and the demo drive the NIC's traffic simulation through ILabTraffic, so they
// run any plug-in's device that offers it, not this class by name.
public sealed partial class NicDevice : ILabTraffic
{
    /// <inheritdoc />
    LabTrafficCounters ILabTraffic.SimulateTraffic(int seed, int units)
    {
        SimulateTraffic(seed, units);
        NicCounters counters = Counters;
        return new LabTrafficCounters(counters.RxPackets, counters.RxBytes, counters.TxPackets, counters.TxBytes);
    }
}
