using Vfio.Manager.Host;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Capabilities;

/// <summary><c>vfioctl capabilities</c>: the document <c>find</c> reads, one per host.</summary>
internal sealed class CapabilitiesCommand(MdevHost host, CliConsole console)
{
    public int Execute(string hostName)
    {
        JsonText.WriteDocument(console.Output, HostModels.Capabilities(host, hostName).ToJson());
        return ExitCodes.Ok;
    }
}
