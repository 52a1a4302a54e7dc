using Mdev.Manager;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vfio.Samples;

namespace Vfioctl.Host;

/// <summary>
/// How vfioctl reaches a device's VFIO surface: the kernel's /dev/vfio on a real host, or the sample device
/// code running in this process on an emulated host (so two vfioctl processes share one emulated device).
/// </summary>
internal static class DeviceAccess
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(_ => new EmulatedDevices(SampleCatalog.Create()));
        services.TryAddSingleton<IDeviceOpener>(provider =>
        {
            MdevManagerOptions options = provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value;
            return provider.GetRequiredService<ISysfs>() is EmulatedSysfs emulated
                ? new EmulatedDeviceOpener(emulated, provider.GetRequiredService<EmulatedDevices>().Catalog, options.StateChangeTimeout)
                : new KernelDeviceOpener(provider.GetRequiredService<MdevHost>(), options.DevRoot);
        });
    }
}
