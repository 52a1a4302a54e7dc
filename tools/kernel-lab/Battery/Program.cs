using Vfio.Manager.Devices;
using Vfio.Manager.Host;
using Vfio.Manager.Sysfs;

using Vfio.KernelLab;

// vfio-kernel-battery --vfioctl PATH --results FILE [--scratch DIR] [--only PREFIX]  (--only: a developer's run of the
// checks whose names start with PREFIX, after environment and start-pinned)
// Runs inside the kernel lab's guest, as root, with the mtty module loaded and the mtty manifests installed.
string vfioctlPath = "./vfioctl/vfioctl", resultsPath = "results.jsonl", scratch = "/tmp/battery";
string? only = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--vfioctl": vfioctlPath = args[i + 1]; break;
        case "--results": resultsPath = args[i + 1]; break;
        case "--scratch": scratch = args[i + 1]; break;
        case "--only": only = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
Directory.CreateDirectory(scratch);
File.WriteAllText(resultsPath, "");

var vfioctl = new Vfioctl(Path.GetFullPath(vfioctlPath));
var opener = new KernelDeviceOpener(new MdevHost(new RealSysfs(new SysfsLayout("/", "/usr/share/vfio-migrate/manifests"))));
var battery = new Battery(Console.Out, resultsPath, only);
var checks = new MttyChecks(vfioctl, opener, battery, scratch);
checks.RunAll();

File.WriteAllText(Path.ChangeExtension(resultsPath, ".md"), battery.ToMarkdown());
int passed = battery.Results.Count(r => r.Passed), failed = battery.Results.Count - passed;
int crashed = vfioctl.History.Count(r => r.Crashed);
Console.WriteLine($"{vfioctl.History.Count} vfioctl runs, {crashed} with an unhandled exception");
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
