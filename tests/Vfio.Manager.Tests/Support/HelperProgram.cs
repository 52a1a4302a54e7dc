using System.Globalization;
using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager;

/// <summary>
/// The test assembly's entry point, used only when a test starts the assembly as a child process
/// (<c>dotnet exec Vfio.Tests.Manager.dll create-devices &lt;root&gt; &lt;parent&gt; &lt;type&gt; &lt;attempts&gt;</c>):
/// it tries to create devices on an emulated host and prints one line per attempt, "created &lt;uuid&gt;" or "refused &lt;code&gt;".
/// </summary>
public static class HelperProgram
{
    public static int Main(string[] args)
    {
        if (args.Length == 6 && args[0] == "crash-at")
        {
            return CrashAt(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), args[5]);
        }
        if (args.Length != 5 || args[0] != "create-devices")
        {
            Console.Error.WriteLine("usage: create-devices <root> <parent> <type> <attempts>");
            return 2;
        }
        var sysfs = new EmulatedSysfs(new SysfsLayout(args[1], Path.Join(args[1], "manifests")), TimeSpan.FromMinutes(1));
        var parent = ParentDeviceName.Parse(args[2]);
        var type = MdevTypeName.Parse(args[3]);
        int attempts = int.Parse(args[4], CultureInfo.InvariantCulture);
        for (int i = 0; i < attempts; i++)
        {
            MdevUuid uuid = MdevUuid.NewUuid();
            try
            {
                // Straight to the create attribute: the manager's own pre-check would hide races the lock must handle.
                sysfs.Write(sysfs.Layout.TypeCreate(parent, type), uuid.ToString());
                Console.WriteLine($"created {uuid}");
            }
            catch (VfioException e)
            {
                Console.WriteLine($"refused {ErrorCatalogue.Id(e.Code)}");
            }
        }
        return 0;
    }

    /// <summary>
    /// <c>crash-at &lt;root&gt; create|remove &lt;parent&gt;/&lt;type&gt;|&lt;uuid&gt; &lt;n&gt; &lt;uuid&gt;</c>: creates (or removes) one device and
    /// kills this process with SIGKILL right after the n-th durable change the emulated host makes for it, as a power
    /// cut or a kill -9 would; prints "completed after &lt;k&gt; points" when the operation has fewer than n.
    /// </summary>
    private static int CrashAt(string root, string operation, string target, int point, string uuid)
    {
        var sysfs = new EmulatedSysfs(new SysfsLayout(root, Path.Join(root, "manifests")), TimeSpan.FromMinutes(1));
        int seen = 0;
        sysfs.AfterDurableWrite = name =>
        {
            if (++seen == point)
            {
                Console.Out.Flush();
                System.Diagnostics.Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }
        };
        if (operation == "create")
        {
            string[] parts = target.Split('/');
            sysfs.Write(sysfs.Layout.TypeCreate(ParentDeviceName.Parse(parts[0]), MdevTypeName.Parse(parts[1])), uuid);
        }
        else
        {
            sysfs.Write(sysfs.Layout.DeviceRemove(MdevUuid.Parse(uuid)), "1");
        }
        Console.WriteLine($"completed after {seen} points");
        return 0;
    }
}
