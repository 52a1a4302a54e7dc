using Mdev.Manager;
using Vfio.Samples.Nic;

namespace Vfioctl.Commands.Demo;

/// <summary>
/// The demo's two emulated hosts: the same NIC hardware type on both, with the new driver build (NIC versions 1-3,
/// v2 migration protocol) on host-a and the old build (versions 1-2, v1 migration region) on host-b.
/// </summary>
internal static class DemoHosts
{
    public static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    public static readonly MdevTypeName Type = MdevTypeName.Parse("mynic-4q");

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
                throw new Vfio.VfioException(Vfio.ErrorCode.UsageError,
                    $"'{host}' is not an emulated host, so --replace does not delete it; give --root an empty or new directory.") { Value = host };
            }
        }
        foreach (string host in new[] { HostA(root), HostB(root) }.Where(Directory.Exists))
        {
            Directory.Delete(host, recursive: true);
        }
    }

    /// <summary>Lays out both hosts under <paramref name="root"/>; an existing host directory is left as it is.</summary>
    public static void Create(string root)
    {
        Lay(HostA(root), NicImplementations.Current);
        Lay(HostB(root), NicImplementations.Old);
    }

    private static void Lay(string directory, Vfio.Sdk.DeviceImplementation implementation)
    {
        if (Directory.Exists(Path.Join(directory, "sys")))
        {
            return;
        }
        new EmulatedHostBuilder(directory).AddType(Parent, Type, "My NIC, 4 queues", 4, implementation, "vendor-a.com/my-nic sample NIC");
    }
}
