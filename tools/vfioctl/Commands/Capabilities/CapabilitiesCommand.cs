using Mdev.Manager.Host;
using Vfioctl.Cli;
using Vfioctl.Host;
using Vfioctl.Output;

namespace Vfioctl.Commands.Capabilities;

/// <summary><c>vfioctl capabilities</c>: the document <c>find</c> reads, one per host.</summary>
internal sealed class CapabilitiesCommand(MdevHost host, CliConsole console)
{
    public int Execute(string hostName)
    {
        JsonText.WriteDocument(console.Output, HostModels.Capabilities(host, hostName).ToJson());
        return ExitCodes.Ok;
    }
}
