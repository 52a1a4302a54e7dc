using Mdev.Manager;
using Microsoft.Extensions.Options;

namespace Vfioctl.Host;

/// <summary>Opens a second emulated host (<c>--to-root</c>) with the same lock timeout as the first.</summary>
internal sealed class HostFactory(IOptions<MdevManagerOptions> options)
{
    public MdevHost OpenEmulated(string root)
    {
        string full = Path.GetFullPath(root);
        var layout = new SysfsLayout(full, Path.Join(full, "usr", "share", "vfio-migrate", "manifests"));
        return new MdevHost(new EmulatedSysfs(layout, options.Value.LockTimeout));
    }
}
