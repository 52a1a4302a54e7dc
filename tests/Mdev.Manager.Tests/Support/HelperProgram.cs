using System.Globalization;
using Vfio;

namespace Mdev.Manager.Tests;

/// <summary>
/// The test assembly's entry point, used only when a test starts the assembly as a child process
/// (<c>dotnet exec Mdev.Manager.Tests.dll create-devices &lt;root&gt; &lt;parent&gt; &lt;type&gt; &lt;attempts&gt;</c>):
/// it tries to create devices on an emulated host and prints one line per attempt, "created &lt;uuid&gt;" or "refused &lt;code&gt;".
/// </summary>
public static class HelperProgram
{
    public static int Main(string[] args)
    {
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
}
