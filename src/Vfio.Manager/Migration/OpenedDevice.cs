using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Manager.Migration;

/// <summary>One side of a migration while it is open: the device, its driver, the configuration it runs, and whether its state was moved.</summary>
internal sealed class OpenedDevice(MdevUuid uuid, IVfioDevice device, MigrationDriver driver, DeviceConfiguration configuration) : IDisposable
{
    private bool _disposed;

    public MdevUuid Uuid { get; } = uuid;

    public string Name => Device.Name;

    public IVfioDevice Device { get; } = device;

    public MigrationDriver Driver { get; } = driver;

    public DeviceConfiguration Configuration { get; } = configuration;

    /// <summary>Set before the first arc is asked for: from then on a failure must be rolled back.</summary>
    public bool Touched { get; set; }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Device.Dispose();
        }
    }
}
