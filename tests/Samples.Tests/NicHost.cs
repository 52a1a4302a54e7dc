using Vfio.DeviceModels;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Sdk;

namespace Vfio.Tests.Samples;

/// <summary>A NIC created from an implementation, behind an emulated VFIO device and a migration driver.</summary>
internal sealed class NicHost : IDisposable
{
    public NicHost(DeviceImplementation implementation, string name, DeviceConfiguration configuration)
    {
        Device = (NicDevice)implementation.Create(name, configuration);
        Vfio = new EmulatedVfioDevice(name, Device, implementation.Protocol, implementation.Features);
        Driver = MigrationDriver.Open(Vfio);
    }

    public NicHost(DeviceImplementation implementation, string name, string configuration)
        : this(implementation, name, DeviceConfiguration.Parse(implementation.Model, configuration, name))
    {
    }

    public NicDevice Device { get; }

    public EmulatedVfioDevice Vfio { get; }

    public MigrationDriver Driver { get; }

    public void Dispose()
    {
        Vfio.Dispose();
        Device.Dispose();
    }
}
