using Vfio.Sdk;
using Vfio.Samples;

[assembly: DevicePlugin(typeof(SamplePlugin))]

namespace Vfio.Samples;

/// <summary>
/// The samples as a device plug-in: vfioctl's build places this assembly (with the sample NIC and serial card) in
/// <c>plugins/samples/</c> beside vfioctl.dll, and <c>vfioctl demo</c> names it in its emulated hosts' configuration.
/// </summary>
public sealed class SamplePlugin : IDevicePlugin
{
    /// <inheritdoc />
    public IEnumerable<DeviceImplementation> Implementations => SampleCatalog.Create().All;
}
