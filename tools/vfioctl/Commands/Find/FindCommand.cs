using Mdev.Manager;
using Spectre.Console;
using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Fleet.Etcd;
using Vfioctl.Cli;
using Vfioctl.Host;
using Vfioctl.Output;

namespace Vfioctl.Commands.Find;

/// <summary><c>vfioctl find</c>: fleet-scale placement over capability documents (a folder or etcd), no host contacted.</summary>
/// <remarks>Answers are advisory: the destination's <c>start</c>/<c>load</c> checks compatibility and free instances
/// again when it creates the device, and refuses a stale answer with its code.</remarks>
internal sealed class FindCommand(MdevHost host, CliConsole console)
{
    public int Execute(string fleetDirectory, MdevUuid? uuid, string? documentPath, int max)
    {
        ForeignConfiguration source = Source(uuid, documentPath);
        if (!Directory.Exists(fleetDirectory))
        {
            throw new VfioException(ErrorCode.DocumentInvalid, $"the fleet folder '{fleetDirectory}' does not exist.") { Value = fleetDirectory };
        }
        var documents = new List<HostCapabilities>();
        foreach (string file in Directory.EnumerateFiles(fleetDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                documents.Add(HostCapabilities.Parse(CliFiles.ReadDocument(file, "host capability document")));
            }
            catch (DeviceModelException e)
            {
                // One bad document names its file; the others are not silently skipped either.
                throw new VfioException(e.Code, $"{file}: {e.Message}", e) { Value = e.Value, Parameter = e.Parameter, Expected = e.Expected };
            }
        }
        return Print(source, new FleetIndex(documents), max);
    }

    /// <summary>The same query over the documents published in etcd: one range read at one revision.</summary>
    public async Task<int> ExecuteAsync(EtcdStoreOptions store, MdevUuid? uuid, string? documentPath, int max, CancellationToken cancellationToken)
    {
        ForeignConfiguration source = Source(uuid, documentPath);
        using EtcdConnection connection = EtcdConnection.Open(store);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection, watch: false, cancellationToken).ConfigureAwait(false);
        // A host's bad document must not hide the whole fleet: it is named on stderr and left out.
        foreach (string rejected in index.Rejected.Values.Order(StringComparer.Ordinal))
        {
            console.Error.WriteLine($"warning: left out {rejected}");
        }
        return Print(source, index.Index, max);
    }

    private ForeignConfiguration Source(MdevUuid? uuid, string? documentPath) => uuid is MdevUuid u
        ? host.ReadConfiguration(u).ToForeign(u.ToString())
        : DeviceDocument.Parse(CliFiles.ReadDocument(documentPath!, "device document")).ToForeign();

    private int Print(ForeignConfiguration source, FleetIndex index, int max)
    {
        IReadOnlyList<FleetCandidate> candidates = index.Find(source, max);
        console.Output.WriteLine($"{candidates.Count} candidate(s) among {index.HostCount} host(s) for {source.Model} [{string.Join(",", source.Values.Select(kv => $"{kv.Key}={kv.Value}"))}]");
        if (candidates.Count == 0)
        {
            return ExitCodes.Incompatible;
        }
        var table = Tables.Create("Host", "Parent", "Type", "Available");
        foreach (FleetCandidate c in candidates)
        {
            table.AddRow(Tables.Cells(c.Host, c.Parent, c.Type, Tables.Number(c.AvailableInstances)));
        }
        console.Tables.Write(table);
        return ExitCodes.Ok;
    }
}
