using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Sdk;

namespace Vfio.Manager.Migration;

/// <summary>
/// One host as a migration reaches it: its mediated-device tree (devices, types, capability documents) and how its
/// devices are opened. Source and destination may be the same endpoint or two (two emulated roots, or the real host
/// and another emulated one).
/// </summary>
public sealed class MigrationEndpoint
{
    /// <summary>Pairs a host's tree with its device opener.</summary>
    /// <param name="tree">The host's mediated-device tree.</param>
    /// <param name="opener">Opens the host's devices (<see cref="KernelDeviceOpener"/> or <see cref="EmulatedDeviceOpener"/>).</param>
    public MigrationEndpoint(MdevHost tree, IDeviceOpener opener)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(opener);
        Tree = tree;
        Opener = opener;
    }

    /// <summary>The host's mediated-device tree: its sysfs, devices and types.</summary>
    public MdevHost Tree { get; }

    /// <summary>Opens the host's devices.</summary>
    public IDeviceOpener Opener { get; }

    /// <summary>The full path of the host's root (<c>/</c> on a real host); the migration journal lives under it.</summary>
    public string Root => Tree.Sysfs.Layout.Root.FullPath;

    /// <summary>An emulated host: its tree, and an opener that runs each device's implementation from <paramref name="catalog"/>.</summary>
    /// <param name="sysfs">The emulated host (<see cref="EmulatedHostBuilder.Build"/>, or one opened over an existing directory).</param>
    /// <param name="catalog">The device implementations its types name.</param>
    /// <returns>The endpoint.</returns>
    public static MigrationEndpoint Emulated(EmulatedSysfs sysfs, DeviceImplementationCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(sysfs);
        ArgumentNullException.ThrowIfNull(catalog);
        return new MigrationEndpoint(new MdevHost(sysfs), new EmulatedDeviceOpener(sysfs, catalog));
    }
}
