using System.CommandLine;
using Vfio.Manager.Options;

namespace Vfio.Ctl.Cli;

/// <summary>Turns the global options into the manager's options. CliApplication checks them, with the manager's rules, before any verb runs.</summary>
internal static class HostOptions
{
    public static void Apply(MdevManagerOptions options, ParseResult parse)
    {
        string? emulated = parse.GetValue(GlobalOptions.Emulated);
        if (emulated is not null)
        {
            // An emulated host is one directory: sysfs, definitions, manifests and /dev all live under it.
            string root = Path.GetFullPath(emulated);
            options.Emulated = true;
            options.SysfsRoot = root;
            options.ConfigRoot = Path.Join(root, "etc", "mdevctl.d");
            options.ManifestDir = Path.Join(root, "usr", "share", "vfio-migrate", "manifests");
            options.DevRoot = Path.Join(root, "dev");
        }
        if (parse.GetValue(GlobalOptions.SysfsRoot) is string sysfsRoot)
        {
            options.SysfsRoot = sysfsRoot;
        }
        if (parse.GetValue(GlobalOptions.ConfigRoot) is string configRoot)
        {
            options.ConfigRoot = configRoot;
        }
    }
}
