using Vfio.Manager.Plugins;

namespace Vfio.Manager.Emulation;

// Plug-ins: the assemblies whose device implementations the host's types run, named in etc/vfio-emu/host.json.
public sealed partial class EmulatedHostBuilder
{
    /// <summary>
    /// Names a device plug-in in the host's configuration (<see cref="EmulatedHostConfiguration"/>): a program that opens
    /// one of the host's devices (vfioctl <c>--emulated</c>, <see cref="EmulatedHost"/>) loads it to find the
    /// implementation the device's type names. Naming one path twice is a no-op.
    /// </summary>
    /// <param name="path">The plug-in assembly: absolute, or relative to the host's root. It need not exist yet.</param>
    /// <returns>This builder.</returns>
    public EmulatedHostBuilder AddPlugin(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        EmulatedHostConfiguration.AddPlugin(Layout.Root.FullPath, path);
        return this;
    }
}
