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

    /// <summary>Lays out both hosts under <paramref name="root"/>; an existing host directory is left as it is.</summary>
    public static void Create(string root)
    {
        Lay(HostA(root), NicImplementations.Current);
        Lay(HostB(root), NicImplementations.Old);
    }

    private static void Lay(string directory, Vfio.DeviceModels.Sdk.DeviceImplementation implementation)
    {
        if (Directory.Exists(Path.Join(directory, "sys")))
        {
            return;
        }
        new EmulatedHostBuilder(directory).AddType(Parent, Type, "My NIC, 4 queues", 4, implementation, "vendor-a.com/my-nic sample NIC");
    }
}
