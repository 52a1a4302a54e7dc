using System.Diagnostics;
using System.Globalization;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>
/// Crash consistency of the emulated host: a process killed (SIGKILL) right after any durable change of a create or a
/// remove leaves every available_instances equal to the type's capacity minus the devices that exist, for a type that
/// counts alone and for the mtty-style pool two types share; and the host stays usable, its files catching up.
/// </summary>
public sealed class CrashConsistencyTests : IDisposable
{
    private static readonly ParentDeviceName Nic = ParentDeviceName.Parse("0000:00:04.0");
    private static readonly MdevTypeName NicType = MdevTypeName.Parse("vendor-nic-1");
    private static readonly ParentDeviceName Mtty = ParentDeviceName.Parse("mtty");
    private static readonly MdevTypeName Single = MdevTypeName.Parse("mtty-1");
    private static readonly MdevTypeName Dual = MdevTypeName.Parse("mtty-2");
    private const int NicCapacity = 4;
    private const int Ports = 6;
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    public static TheoryData<string, string> Operations() => new()
    {
        { "create", "nic" },
        { "create", "mtty-2" },
        { "remove", "nic" },
        { "remove", "mtty-2" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task A_process_killed_after_any_durable_write_leaves_counts_that_match_the_devices(string operation, string which)
    {
        int points = 0;
        for (int point = 1; point < 64; point++)
        {
            string root = Path.Join(_tree.Root, $"{operation}-{which}-{point}");
            (EmulatedSysfs sysfs, MdevUuid victim) = Build(root, operation, which);
            string target = which == "nic" ? $"{Nic}/{NicType}" : $"{Mtty}/{Dual}";

            (int exit, string output) = await RunHelperAsync("crash-at", root, operation, target, point.ToString(CultureInfo.InvariantCulture), victim.ToString());

            if (exit == 0)
            {
                Assert.StartsWith("completed after ", output, StringComparison.Ordinal);
                points = point - 1;
                break;
            }
            Assert.Equal(137, exit);
            var host = new MdevHost(sysfs);
            AssertCountsMatchDevices(host, $"{operation} {which} killed at point {point}");
            // The host goes on: a create and a remove on the same parent succeed, and afterwards the files a reader
            // of the tree sees (available_instances) agree with the derived counts too.
            MdevUuid next = MdevUuid.NewUuid();
            host.Create(which == "nic" ? Nic : Mtty, which == "nic" ? NicType : Single, next);
            host.Remove(next);
            AssertCountsMatchDevices(host, $"{operation} {which} killed at point {point}, then a create and a remove");
            AssertFilesMatchCounts(sysfs, $"{operation} {which} killed at point {point}, then a create and a remove");
        }
        // Every durable change of the operation was a kill point (a create writes its directory, files, links and counts).
        Assert.True(points >= (operation == "create" ? 9 : 5), $"only {points} durable write points were seen");
    }

    private (EmulatedSysfs Sysfs, MdevUuid Victim) Build(string root, string operation, string which)
    {
        EmulatedSysfs sysfs = new EmulatedHostBuilder(root)
            .AddType(Nic, NicType, "NIC", NicCapacity, TestNicModels.Design)
            .AddType(Mtty, Single, "Single port serial", 0)
            .AddType(Mtty, Dual, "Dual port serial", 0)
            .ShareInstancePool(Mtty, Ports, (Single, 1), (Dual, 2))
            .Build();
        var host = new MdevHost(sysfs);
        // Devices that stay throughout, so the counts are not trivially at their maximum.
        host.Create(Nic, NicType, MdevUuid.NewUuid());
        host.Create(Mtty, Single, MdevUuid.NewUuid());
        MdevUuid victim = MdevUuid.NewUuid();
        if (operation == "remove")
        {
            host.Create(which == "nic" ? Nic : Mtty, which == "nic" ? NicType : Dual, victim);
        }
        return (sysfs, victim);
    }

    private static void AssertCountsMatchDevices(MdevHost host, string when)
    {
        IReadOnlyList<MdevDevice> devices = host.GetDevices();
        int Count(MdevTypeName type) => devices.Count(d => d.Type == type);
        Assert.True(NicCapacity - Count(NicType) == host.GetSupportedType(Nic, NicType).AvailableInstances,
            $"{when}: {NicType} shows {host.GetSupportedType(Nic, NicType).AvailableInstances} available with {Count(NicType)} devices of {NicCapacity}");
        int free = Ports - Count(Single) - (2 * Count(Dual));
        Assert.True(free == host.GetSupportedType(Mtty, Single).AvailableInstances,
            $"{when}: {Single} shows {host.GetSupportedType(Mtty, Single).AvailableInstances}, but {free} of {Ports} ports are free");
        Assert.True(free / 2 == host.GetSupportedType(Mtty, Dual).AvailableInstances,
            $"{when}: {Dual} shows {host.GetSupportedType(Mtty, Dual).AvailableInstances}, but {free} of {Ports} ports are free");
    }

    private static void AssertFilesMatchCounts(EmulatedSysfs sysfs, string when)
    {
        var host = new MdevHost(sysfs);
        foreach ((ParentDeviceName parent, MdevTypeName type) in new[] { (Nic, NicType), (Mtty, Single), (Mtty, Dual) })
        {
            string file = File.ReadAllText(sysfs.Layout.TypeAvailableInstances(parent, type).FullPath).Trim();
            Assert.True(host.GetSupportedType(parent, type).AvailableInstances.ToString(CultureInfo.InvariantCulture) == file,
                $"{when}: the file of {type} reads {file}");
        }
    }

    private static async Task<(int Exit, string Output)> RunHelperAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(HelperProgram).Assembly.Location);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using Process child = Process.Start(info)!;
        Task<string> output = child.StandardOutput.ReadToEndAsync();
        Task<string> error = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);
        string err = await error;
        Assert.True(child.ExitCode is 0 or 137, $"helper exited {child.ExitCode}: {err}");
        return (child.ExitCode, await output);
    }
}
