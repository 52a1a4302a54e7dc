using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Sdk;

namespace Vfio.Reliability.Concurrency;

/// <summary>One type of the run's host: its parent, the device code it runs, and the configurations creators pin.</summary>
/// <param name="Parent">The parent.</param>
/// <param name="Type">The type.</param>
/// <param name="Implementation">The device code.</param>
/// <param name="Capacity">Its own instance count, or null when it draws from the parent's shared pool.</param>
/// <param name="Configurations">The <c>--config</c> texts a creator picks from; null means "pin nothing" (the init configuration).</param>
internal sealed record ConcurrencyType(ParentDeviceName Parent, MdevTypeName Type, DeviceImplementation Implementation, int? Capacity, IReadOnlyList<string?> Configurations);

/// <summary>
/// The emulated host every process of the run works on: the sample NIC's current and old builds on one PCI parent,
/// each type counting its own instances, and the mtty-style serial card whose two types share one pool of ports
/// (mtty-1 takes one port, mtty-2 two), so the shared count is checked too. Small capacities keep "no instance
/// available" refusals frequent, which is where a lost or double count would show.
/// </summary>
internal static class ConcurrencyHost
{
    public static readonly ParentDeviceName NicParent = ParentDeviceName.Parse("0000:00:03.0");
    public static readonly ParentDeviceName SerialParent = ParentDeviceName.Parse("mtty");
    public static readonly MdevTypeName SinglePort = MdevTypeName.Parse("mtty-1");
    public static readonly MdevTypeName DualPort = MdevTypeName.Parse("mtty-2");

    /// <summary>The serial card's ports (the kernel's mtty has 24; fewer here, so the pool runs dry under load).</summary>
    public const int SerialPorts = 12;

    public static IReadOnlyList<ConcurrencyType> Types { get; } =
    [
        new(NicParent, MdevTypeName.Parse("mynic-4q"), NicImplementations.Current, 6, ["version=1", "version=2", "version=3", "version=2,rss=on", null]),
        new(NicParent, MdevTypeName.Parse("mynic-old"), NicImplementations.Old, 4, ["version=1", "version=2", null]),
        new(SerialParent, SinglePort, SerialImplementations.SinglePort, null, [null]),
        new(SerialParent, DualPort, SerialImplementations.DualPort, null, [null]),
    ];

    /// <summary>The ports a device of each pooled type takes.</summary>
    public static IReadOnlyDictionary<MdevTypeName, int> PortsPerDevice { get; } = new Dictionary<MdevTypeName, int> { [SinglePort] = 1, [DualPort] = 2 };

    /// <summary>Lays out the host in <paramref name="root"/>.</summary>
    public static void Create(string root)
    {
        var builder = new EmulatedHostBuilder(root).AddPlugin(SamplePlugins.Path);
        foreach (ConcurrencyType type in Types)
        {
            builder.AddType(type.Parent, type.Type, type.Implementation.Model.Id.ToString(), type.Capacity ?? 0, type.Implementation);
        }
        builder.ShareInstancePool(SerialParent, SerialPorts, [.. PortsPerDevice.Select(p => (p.Key, p.Value))]);
    }

    /// <summary>The host, as any process of the run opens it: the workers run the samples they link (no plug-in load).</summary>
    public static EmulatedHost Open(string root) =>
        new(root, new EmulatedHostOptions { LockTimeout = LockTimeout, DeviceLockTimeout = LockTimeout, Catalog = Vfio.Samples.SampleCatalog.Create() });

    /// <summary>The definitions store, where <c>vfioctl --emulated</c> keeps it.</summary>
    public static string ConfigRoot(string root) => Path.Join(Path.GetFullPath(root), "etc", "mdevctl.d");

    /// <summary>Generous: a lock timeout under this load would be a hang the run must report, not a routine refusal.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
}
