using System.CommandLine;

namespace Vfio.Ctl.Cli;

/// <summary>Options every verb accepts: where the host's sysfs tree and definitions live.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> SysfsRoot = CliFiles.PathOption(new Option<string?>("--sysfs-root")
    {
        Description = "Root under which sys/ is read (default /; absolute path)",
        Recursive = true,
    });

    public static readonly Option<string?> ConfigRoot = CliFiles.PathOption(new Option<string?>("--config-root")
    {
        Description = "Directory of persistent device definitions (default /etc/mdevctl.d; absolute path)",
        Recursive = true,
    });

    public static readonly Option<string?> Emulated = CliFiles.PathOption(new Option<string?>("--emulated")
    {
        Description = "Use the emulated host in this directory instead of the kernel (see 'vfioctl demo')",
        Recursive = true,
    });

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log every state arc, pre-copy round and rollback to stderr",
        Recursive = true,
    };

    /// <summary>Whether <paramref name="option"/> is one of the global options that take a path.</summary>
    public static bool TakesPath(Option option) => option == SysfsRoot || option == ConfigRoot || option == Emulated;

    public static void AddTo(Command root)
    {
        root.Options.Add(Verbose);
        root.Options.Add(SysfsRoot);
        root.Options.Add(ConfigRoot);
        root.Options.Add(Emulated);
    }
}
