using System.Diagnostics;
using System.Globalization;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;

namespace Vfio.Reliability.MigrationSafety;

/// <summary>
/// The crash-consistency half of the migration-safety attacks: a host with a type that counts its own instances and an
/// mtty-style parent whose two types share a pool of ports; a child process of this tool
/// (<c>migration-safety --crash-child ROOT create|remove PARENT/TYPE N UUID</c>) that kills itself (SIGKILL) after the
/// n-th durable write of one create or remove; and the check that counts match the devices that exist.
/// </summary>
internal static class MigrationSafetyCrashChild
{
    public static readonly ParentDeviceName Nic = ParentDeviceName.Parse("0000:00:04.0");
    public static readonly MdevTypeName NicType = MdevTypeName.Parse("crash-nic");
    public static readonly ParentDeviceName Mtty = ParentDeviceName.Parse("mtty");
    public static readonly MdevTypeName Single = MdevTypeName.Parse("mtty-1");
    public static readonly MdevTypeName Dual = MdevTypeName.Parse("mtty-2");
    public const int NicCapacity = 4;
    public const int Ports = 6;

    public static EmulatedHost Build(string root)
    {
        new EmulatedHostBuilder(root)
            .AddType(Nic, NicType, "NIC", NicCapacity)
            .AddType(Mtty, Single, "Single port serial", 0)
            .AddType(Mtty, Dual, "Dual port serial", 0)
            .ShareInstancePool(Mtty, Ports, (Single, 1), (Dual, 2));
        var emulated = new EmulatedHost(root);
        emulated.Tree.Create(Nic, NicType, MdevUuid.NewUuid());
        emulated.Tree.Create(Mtty, Single, MdevUuid.NewUuid());
        return emulated;
    }

    /// <summary>Every count that does not match the devices that exist.</summary>
    public static IEnumerable<string> CountProblems(MdevHost host)
    {
        IReadOnlyList<MdevDevice> devices = host.GetDevices();
        int Count(MdevTypeName type) => devices.Count(d => d.Type == type);
        int nic = host.GetSupportedType(Nic, NicType).AvailableInstances;
        if (nic != NicCapacity - Count(NicType))
        {
            yield return $"{NicType}: available_instances {nic}, {Count(NicType)} devices of {NicCapacity}";
        }
        int free = Ports - Count(Single) - (2 * Count(Dual));
        foreach ((MdevTypeName type, int ports) in new[] { (Single, 1), (Dual, 2) })
        {
            int available = host.GetSupportedType(Mtty, type).AvailableInstances;
            if (available != free / ports)
            {
                yield return $"{type}: available_instances {available}, but {free} of {Ports} ports are free";
            }
        }
    }

    /// <summary>Runs this tool as the child; returns its exit code (137 when it killed itself) and output.</summary>
    public static Task<(int Exit, string Output)> RunAsync(string root, string operation, string target, int point, string uuid) => Task.Run(() =>
    {
        (int? exit, string output, string error) = Concurrency.ChildProcess.Run(Concurrency.ChildProcess.Self,
            ["migration-safety", "--crash-child", root, operation, target, point.ToString(CultureInfo.InvariantCulture), uuid], TimeSpan.FromMinutes(2));
        return (exit ?? -1, output + error);
    });

    /// <summary>The child: one create or remove, killed after the n-th durable write.</summary>
    public static int RunChild(string[] args)
    {
        string root = args[0];
        string operation = args[1];
        string[] target = args[2].Split('/');
        int point = int.Parse(args[3], CultureInfo.InvariantCulture);
        EmulatedSysfs sysfs = new EmulatedHost(root, new EmulatedHostOptions { ManifestDirectory = Path.Join(root, "manifests"), LockTimeout = TimeSpan.FromMinutes(1) }).Sysfs;
        int seen = 0;
        sysfs.AfterDurableWrite = _ =>
        {
            if (++seen == point)
            {
                Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }
        };
        if (operation == "create")
        {
            sysfs.Write(sysfs.Layout.TypeCreate(ParentDeviceName.Parse(target[0]), MdevTypeName.Parse(target[1])), args[4]);
        }
        else
        {
            sysfs.Write(sysfs.Layout.DeviceRemove(MdevUuid.Parse(args[4])), "1");
        }
        Console.WriteLine($"completed after {seen} points");
        return 0;
    }
}
