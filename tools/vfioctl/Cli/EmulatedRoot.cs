using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Refuses an emulated host directory (<c>--emulated</c>, <c>--to-root</c>) that is not one, before anything reads it:
/// a typo would otherwise read as a host with no types and no devices. Every emulated host has
/// <c>sys/class/mdev_bus</c> from the moment it is laid out (<c>vfioctl demo --root</c>, EmulatedHostBuilder).
/// </summary>
internal static class EmulatedRoot
{
    /// <summary>Throws <see cref="ErrorCode.EmulatedHostInvalid"/> unless <paramref name="root"/> is an emulated host.</summary>
    public static void Require(string option, string root)
    {
        string full = Path.GetFullPath(root);
        string why;
        if (File.Exists(full))
        {
            why = "is a file, not a folder";
        }
        else if (!Directory.Exists(full))
        {
            why = "does not exist";
        }
        else if (!Directory.Exists(Path.Join(full, "sys", "class", "mdev_bus")))
        {
            why = "is not an emulated host (it has no sys/class/mdev_bus)";
        }
        else
        {
            return;
        }
        throw CliErrors.NotAnEmulatedHost(option, full, why);

    }
}
