namespace Mdev.Manager;

/// <summary>One host as the orchestrator sees it: its sysfs tree (devices, types, capability documents) and how its devices are opened.</summary>
/// <remarks>Source and destination may be the same host or two hosts (two emulated roots, or the real host and a file).</remarks>
public sealed class MigrationHost
{
    /// <summary>Pairs a host's tree with its device opener.</summary>
    /// <param name="host">The host's tree.</param>
    /// <param name="opener">Opens the host's devices (<see cref="KernelDeviceOpener"/> or <see cref="EmulatedDeviceOpener"/>).</param>
    public MigrationHost(MdevHost host, IDeviceOpener opener)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(opener);
        Host = host;
        Opener = opener;
    }

    /// <summary>The host's tree.</summary>
    public MdevHost Host { get; }

    /// <summary>Opens the host's devices.</summary>
    public IDeviceOpener Opener { get; }
}
