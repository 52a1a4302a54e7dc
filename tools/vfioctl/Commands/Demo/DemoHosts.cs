using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Sdk;

namespace Vfio.Ctl.Commands.Demo;

/// <summary>
/// The demo's two emulated hosts: the same NIC hardware type on both, with the new driver build (NIC versions 1-3,
/// v2 migration protocol) on host-a and the old build (versions 1-2, v1 migration region) on host-b.
/// </summary>
internal static class DemoHosts
{
    public static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    public static readonly MdevTypeName Type = MdevTypeName.Parse("mynic-4q");

    /// <summary>The current NIC build (host-a) and the old one (host-b), as the sample plug-in names them.</summary>
    public const string CurrentNic = "vendor-a.com/my-nic@3";

    /// <inheritdoc cref="CurrentNic"/>
    public const string OldNic = "vendor-a.com/my-nic@2";

    /// <summary>
    /// The sample plug-in vfioctl's build places beside it (<c>plugins/samples/Samples.Catalog.dll</c>); the demo's hosts
    /// name it by this absolute path in their <c>etc/vfio-emu/host.json</c>.
    /// </summary>
    public static string SamplePlugin => Path.Join(AppContext.BaseDirectory, "plugins", "samples", "Samples.Catalog.dll");

    public static string HostA(string root) => Path.Join(root, "host-a");

    public static string HostB(string root) => Path.Join(root, "host-b");

    /// <summary>True when <paramref name="root"/> holds a demo's host (a previous run's).</summary>
    public static bool Exists(string root) => Directory.Exists(HostA(root)) || Directory.Exists(HostB(root));

    /// <summary>
    /// Removes a previous demo's hosts (<c>demo --replace</c>): only host-a and host-b, and only when each is an emulated
    /// host (it has <c>sys/class/mdev_bus</c>); a folder of that name that is something else is refused, not deleted.
    /// </summary>
    public static void Remove(string root)
    {
        foreach (string host in new[] { HostA(root), HostB(root) }.Where(Directory.Exists))
        {
            if (!Directory.Exists(Path.Join(host, "sys", "class", "mdev_bus")))
            {
                throw new Vfio.Errors.VfioException(Vfio.Errors.ErrorCode.UsageError,
                    $"'{host}' is not an emulated host, so --replace does not delete it; give --root an empty or new directory.") { Value = host };
            }
        }
        foreach (string host in new[] { HostA(root), HostB(root) }.Where(Directory.Exists))
        {
            Directory.Delete(host, recursive: true);
        }
    }

    /// <summary>Lays out both hosts under <paramref name="root"/>; an existing host directory is left as it is.</summary>
    /// <exception cref="Vfio.Errors.VfioException">E6050-E6053 when the sample plug-in cannot be loaded (it is loaded before
    /// anything is laid out: the types' documents come from its implementations).</exception>
    public static void Create(string root)
    {
        DeviceImplementationCatalog samples = DevicePluginLoader.LoadFrom([SamplePlugin]);
        Lay(HostA(root), samples.Get(CurrentNic));
        Lay(HostB(root), samples.Get(OldNic));
    }

    private static void Lay(string directory, DeviceImplementation implementation)
    {
        if (Directory.Exists(Path.Join(directory, "sys")))
        {
            return;
        }
        new EmulatedHostBuilder(directory)
            .AddPlugin(SamplePlugin)
            .AddType(Parent, Type, "My NIC, 4 queues", 4, implementation, "vendor-a.com/my-nic sample NIC");
    }
}
