using System.Runtime.InteropServices;
using Vfio.Manager.Host;
using Vfio.Fleet.Etcd;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Publish;

/// <summary>
/// <c>vfioctl publish</c>: writes this host's capability document (what <c>capabilities</c> prints) to etcd under
/// <c>&lt;prefix&gt;/hosts/&lt;host name&gt;</c>, bound to a lease it keeps alive, and writes it again when the free
/// instances change (checked every interval) until SIGINT/SIGTERM, which revoke the lease.
/// </summary>
internal sealed class PublishCommand(MdevHost host, CliConsole console)
{
    public async Task<int> ExecuteAsync(EtcdStoreOptions store, string hostName, TimeSpan ttl, TimeSpan interval, bool once, CancellationToken cancellationToken)
    {
        using EtcdConnection connection = EtcdConnection.Open(store);
        var publisher = new FleetPublisher(connection, hostName, ttl);
        if (once)
        {
            long revision = await publisher.PublishAsync(Document(hostName), cancellationToken).ConfigureAwait(false);
            console.Output.WriteLine($"published {publisher.Key} (lease {publisher.LeaseId:x}, ttl {ttl.TotalSeconds:0}s, revision {revision}); it expires unless published again within the ttl");
            return ExitCodes.Ok;
        }
        // SIGINT and SIGTERM end the run, which then revokes the lease; without these registrations the runtime's
        // default action would end the process first and leave the document until the TTL expires.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await publisher.RunAsync(() => Document(hostName), interval, line => console.Output.WriteLine(line), stop.Token).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    // Exactly the text 'vfioctl capabilities' prints, read from sysfs again each time (free instances change).
    private string Document(string hostName)
    {
        using var text = new StringWriter();
        JsonText.WriteDocument(text, HostModels.Capabilities(host, hostName).ToJson());
        return text.ToString();
    }
}
