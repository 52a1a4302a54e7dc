using Mdev.Manager;
using Spectre.Console;
using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfioctl.Cli;
using Vfioctl.Host;
using Vfioctl.Output;

namespace Vfioctl.Commands.Find;

/// <summary><c>vfioctl find</c>: fleet-scale placement over capability documents, no host contacted.</summary>
internal sealed class FindCommand(MdevHost host, CliConsole console)
{
    public int Execute(string fleetDirectory, MdevUuid? uuid, string? documentPath, int max)
    {
        ForeignConfiguration source = uuid is MdevUuid u
            ? host.ReadConfiguration(u).ToForeign(u.ToString())
            : DeviceDocument.Parse(CliFiles.ReadDocument(documentPath!, "device document")).ToForeign();
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
        IReadOnlyList<FleetCandidate> candidates = new FleetIndex(documents).Find(source, max);
        console.Output.WriteLine($"{candidates.Count} candidate(s) among {documents.Count} host(s) for {source.Model} [{string.Join(",", source.Values.Select(kv => $"{kv.Key}={kv.Value}"))}]");
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
