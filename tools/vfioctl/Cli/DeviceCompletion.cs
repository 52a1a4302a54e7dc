using System.CommandLine.Completions;
using Vfio.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Options;
using Vfio.Manager.Sysfs;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Tab completion of device UUIDs. It reads the host the line being completed names (its --emulated or
/// --sysfs-root), which is not the command line vfioctl was started with ([suggest] passes the line as text).
/// </summary>
internal static class DeviceCompletion
{
    public static IEnumerable<string> Complete(CompletionContext context)
    {
        var options = new MdevManagerOptions();
        HostOptions.Apply(options, context.ParseResult);
        try
        {
            MdevHost host = options.Emulated
                ? Vfio.Ctl.Host.DeviceAccess.OpenEmulated(options.SysfsRoot, options, options.ManifestDir).Tree
                : new MdevHost(new RealSysfs(new SysfsLayout(Path.GetFullPath(options.SysfsRoot), Path.GetFullPath(options.ManifestDir))));
            return [.. host.GetDevices().Select(d => d.Uuid.ToString())];
        }
        catch (Exception e) when (e is VfioException or IOException or UnauthorizedAccessException)
        {
            // Completion must never break the shell; a host that cannot be read offers nothing.
            return [];
        }
    }
}
