using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Options;
using Vfio.Manager.Plugins;
using Vfio.Manager.Sysfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vfio.Ctl.Host;

/// <summary>
/// How vfioctl reaches a device's VFIO surface: the kernel's /dev/vfio on a real host, or, on an emulated host
/// (<c>--emulated</c>), the device code of the plug-ins the host's configuration names, run in this process (so two
/// vfioctl processes share one emulated device). The emulated host is opened once (<see cref="EmulatedHost"/>): its
/// sysfs and <see cref="MdevHost"/> are the ones every verb gets, and its plug-ins load at the first device open only.
/// </summary>
internal static class DeviceAccess
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(provider => new EmulatedHostAccess(provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value));
        // The manager registered its own ISysfs and MdevHost; on an emulated host they are the EmulatedHost's.
        services.Replace(ServiceDescriptor.Singleton<ISysfs>(provider => provider.GetRequiredService<EmulatedHostAccess>().Host is EmulatedHost emulated
            ? emulated.Sysfs
            : new RealSysfs(provider.GetRequiredService<SysfsLayout>())));
        services.Replace(ServiceDescriptor.Singleton(provider => provider.GetRequiredService<EmulatedHostAccess>().Host is EmulatedHost emulated
            ? emulated.Tree
            : new MdevHost(provider.GetRequiredService<ISysfs>())));
        services.TryAddSingleton<IDeviceOpener>(provider =>
        {
            MdevManagerOptions options = provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value;
            return provider.GetRequiredService<EmulatedHostAccess>().Host is EmulatedHost emulated
                ? emulated.Opener
                : new KernelDeviceOpener(provider.GetRequiredService<MdevHost>(), options.DevRoot);
        });
    }

    /// <summary>The options an emulated host at <paramref name="root"/> is opened with (<c>--emulated</c>, <c>--to-root</c>).</summary>
    public static EmulatedHost OpenEmulated(string root, MdevManagerOptions options, string? manifestDirectory = null) =>
        new(root, new EmulatedHostOptions
        {
            LockTimeout = options.LockTimeout,
            DeviceLockTimeout = options.StateChangeTimeout,
            ManifestDirectory = manifestDirectory,
        });
}

/// <summary>The emulated host this run works on (<c>--emulated</c>), or none on a real host.</summary>
internal sealed class EmulatedHostAccess(MdevManagerOptions options)
{
    /// <summary>The emulated host, opened once; null on a real host.</summary>
    public EmulatedHost? Host { get; } = options.Emulated ? DeviceAccess.OpenEmulated(options.SysfsRoot, options, options.ManifestDir) : null;
}
