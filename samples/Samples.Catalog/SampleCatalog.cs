using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Sdk;

namespace Vfio.Samples;

/// <summary>Every sample device implementation, for the CLI's emulated host, the demo and the orchestrator tests.</summary>
public static class SampleCatalog
{
    /// <summary>
    /// Creates a catalog of the samples: <c>vendor-a.com/my-nic@3</c> (current NIC build),
    /// <c>vendor-a.com/my-nic@2</c> (old NIC build), <c>kernel.org/samples/mtty-sdk@mtty-sdk-1</c> and
    /// <c>kernel.org/samples/mtty-sdk@mtty-sdk-2</c> (the serial card's single and dual port types).
    /// </summary>
    /// <returns>A new catalog; callers may add their own implementations to it.</returns>
    public static DeviceImplementationCatalog Create() => new DeviceImplementationCatalog()
        .Add(NicImplementations.Current)
        .Add(NicImplementations.Old)
        .Add(SerialImplementations.SinglePort)
        .Add(SerialImplementations.DualPort);
}
