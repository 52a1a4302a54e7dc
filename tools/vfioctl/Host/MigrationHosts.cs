using Vfio.Manager.Devices;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Options;
using Microsoft.Extensions.Options;

namespace Vfio.Ctl.Host;

/// <summary>The hosts a migration verb works on: this one, or another emulated host given by <c>--to-root</c>.</summary>
internal sealed class MigrationHosts(MdevHost host, IDeviceOpener opener, IOptions<MdevManagerOptions> options)
{
    public MigrationEndpoint Local { get; } = new(host, opener);

    public MigrationEndpoint Open(string? root)
    {
        if (root is null)
        {
            return Local;
        }
        Vfio.Ctl.Cli.EmulatedRoot.Require("--to-root", root);
        return DeviceAccess.OpenEmulated(root, options.Value).ToMigrationEndpoint();
    }
}
