using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.Fleet.Etcd;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Find;

/// <summary><c>vfioctl find</c>: fleet-scale placement over capability documents (a folder or etcd), no host contacted.</summary>
/// <remarks>Answers are advisory: the destination's <c>start</c>/<c>load</c> checks compatibility and free instances
/// again when it creates the device, and refuses a stale answer with its code.</remarks>
internal sealed class FindCommand(MdevHost host, CliConsole console)
{
    public int Execute(string fleetDirectory, MdevUuid? uuid, string? documentPath, int max, bool json = false)
    {
        ForeignConfiguration source = Source(uuid, documentPath);
        if (!Directory.Exists(fleetDirectory))
        {
            throw CliErrors.FleetFolderMissing(fleetDirectory);
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
                throw CliErrors.InFile(file, e);

            }
        }
        return Print(source, new FleetIndex(documents), max, json);
    }

    /// <summary>The same query over the documents published in etcd: one range read at one revision.</summary>
    public async Task<int> ExecuteAsync(EtcdStoreOptions store, MdevUuid? uuid, string? documentPath, int max, CancellationToken cancellationToken, bool json = false)
    {
        ForeignConfiguration source = Source(uuid, documentPath);
        using EtcdConnection connection = EtcdConnection.Open(store);
        await using EtcdFleetIndex index = await EtcdFleetIndex.OpenAsync(connection, watch: false, cancellationToken).ConfigureAwait(false);
        // A host's bad document must not hide the whole fleet: it is named on stderr and left out.
        foreach (string rejected in index.Rejected.Values.Order(StringComparer.Ordinal))
        {
            console.Error.WriteLine($"warning: left out {rejected}");
        }
        return Print(source, index.Index, max, json);
    }

    private ForeignConfiguration Source(MdevUuid? uuid, string? documentPath) => uuid is MdevUuid u
        ? host.ReadConfiguration(u).ToForeign(u.ToString())
        : DeviceDocument.Parse(CliFiles.ReadDocument(documentPath!, "device document")).ToForeign();

    private int Print(ForeignConfiguration source, FleetIndex index, int max, bool json)
    {
        IReadOnlyList<FleetCandidate> candidates = index.Find(source, max);
        if (json)
        {
            JsonText.Write(console.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", source.Model.ToString());
                w.WriteNumber("hosts", index.HostCount);
                w.WriteStartArray("candidates");
                foreach (FleetCandidate c in candidates)
                {
                    w.WriteStartObject();
                    w.WriteString("host", c.Host);
                    w.WriteString("parent", c.Parent);
                    w.WriteString("type", c.Type);
                    w.WriteNumber("availableInstances", c.AvailableInstances);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return candidates.Count == 0 ? ExitCodes.Incompatible : ExitCodes.Ok;
        }
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
