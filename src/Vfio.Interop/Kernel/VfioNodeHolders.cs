using System.Globalization;

namespace Vfio.Kernel;

/// <summary>A process that has a VFIO node open, as <c>/proc</c> shows it.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="Command">Its command name (<c>/proc/PID/comm</c>), or <c>?</c> when that cannot be read.</param>
public sealed record VfioNodeHolder(int Pid, string Command)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Command} (pid {Pid.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>
/// Finds the processes that hold a VFIO group node open. The kernel lets one file hold a group (a second open fails with
/// EBUSY); in production that holder is the VMM (QEMU) the device is assigned to, and naming it tells the operator why.
/// </summary>
public static class VfioNodeHolders
{
    /// <summary>Every process whose open files include <paramref name="node"/>.</summary>
    /// <param name="node">The node's path, e.g. <c>/dev/vfio/7</c>.</param>
    /// <param name="procRoot">Where procfs is mounted.</param>
    /// <returns>The holders in pid order; empty when none can be seen (another user's processes are not readable
    /// without privilege, and a process may exit while it is read).</returns>
    public static IReadOnlyList<VfioNodeHolder> Find(string node, string procRoot = "/proc")
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var holders = new List<VfioNodeHolder>();
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories(procRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return holders;
        }
        foreach (string process in processes)
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            if (Holds(Path.Combine(process, "fd"), node))
            {
                holders.Add(new VfioNodeHolder(pid, Command(process)));
            }
        }
        holders.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        return holders;
    }

    private static bool Holds(string fdDirectory, string node)
    {
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries(fdDirectory))
            {
                if (string.Equals(new FileInfo(fd).LinkTarget, node, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's process (no privilege to read its fds), or one that exited meanwhile: it cannot be named.
        }
        return false;
    }

    private static string Command(string process)
    {
        try
        {
            string comm = File.ReadAllText(Path.Combine(process, "comm")).Trim();
            return comm.Length == 0 ? "?" : comm;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
