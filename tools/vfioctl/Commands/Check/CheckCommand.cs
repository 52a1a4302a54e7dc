using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Check;

/// <summary>
/// <c>vfioctl check</c>: the orchestrator's steps 1 and 2 (docs/orchestrator.md) on their own. Every problem is listed (the checker gathers
/// them all), each with its catalogue code, so an operator fixes the configuration once rather than once per run.
/// </summary>
internal sealed class CheckCommand(MdevHost host, MigrationHosts hosts, IDeviceOpener opener, CliConsole console)
{
    public int Execute(CheckSource source, CheckDestination destination, bool json = false)
    {
        ForeignConfiguration configuration = ReadSource(source, out string sourceName, out DeviceDocument document);
        if (json)
        {
            return ReportJson(sourceName, configuration, document, CheckAgainst(configuration, destination));
        }
        console.Output.WriteLine($"source       {sourceName}: {configuration.Model} [{Describe(configuration)}]");
        console.Output.WriteLine($"stop-copy    {DeviceFacts.EstimateText(document)}");
        List<(string Name, CompatibilityResult Result)> outcomes = CheckAgainst(configuration, destination);
        return Report(outcomes);
    }

    /// <summary>Every problem of a refusal, as check prints them (start --like prints them on stderr).</summary>
    public static void WriteProblems(TextWriter o, CompatibilityResult result)
    {
        foreach (CompatibilityProblem problem in result.Problems)
        {
            o.WriteLine($"  {ErrorCatalogue.Id(problem.Code)} {ErrorCatalogue.Name(problem.Code)}: {problem.Message}");
            o.WriteLine($"    see {ErrorCatalogue.DocLink(problem.Code)}");
        }
    }

    /// <summary>The compatible destinations, or every problem of every candidate; 0 when any candidate accepts.</summary>
    private int Report(List<(string Name, CompatibilityResult Result)> outcomes)
    {
        bool compatible = outcomes.Any(o => o.Result.IsCompatible);
        foreach ((string name, CompatibilityResult result) in outcomes)
        {
            if (result.IsCompatible)
            {
                string runsAs = result.DestinationConfiguration is DeviceConfiguration d ? $" (runs as [{d}])" : "";
                console.Output.WriteLine($"destination  {name}: compatible{runsAs}");
                continue;
            }
            if (compatible)
            {
                continue;
            }
            console.Output.WriteLine($"destination  {name}: {result.Problems.Count} problem(s)");
            WriteProblems(console.Output, result);
        }
        console.Output.WriteLine(compatible ? "result       compatible" : "result       incompatible");
        return compatible ? ExitCodes.Ok : ExitCodes.Incompatible;
    }

    // The same verdict as the table, for an orchestrator: exit 0 when any destination accepts, 2 when none does.
    private int ReportJson(string sourceName, ForeignConfiguration configuration, DeviceDocument document, List<(string Name, CompatibilityResult Result)> outcomes)
    {
        bool compatible = outcomes.Any(o => o.Result.IsCompatible);
        JsonText.Write(console.Output, json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("source");
            json.WriteString("name", sourceName);
            json.WriteString("model", configuration.Model.ToString());
            json.WriteStartObject("configuration");
            foreach (KeyValuePair<string, string> kv in configuration.Values)
            {
                json.WriteString(kv.Key, kv.Value);
            }
            json.WriteEndObject();
            if (document.StopCopyBytes is ulong bytes)
            {
                json.WriteNumber("stopCopyBytes", bytes);
            }
            else
            {
                json.WriteString("stopCopyUnknown", document.StopCopyUnknown ?? "not in the document");
            }
            json.WriteEndObject();
            json.WriteStartArray("destinations");
            foreach ((string name, CompatibilityResult result) in outcomes)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteBoolean("compatible", result.IsCompatible);
                if (result.DestinationConfiguration is DeviceConfiguration runsAs)
                {
                    json.WriteString("runsAs", runsAs.ToString());
                }
                json.WriteStartArray("problems");
                foreach (CompatibilityProblem problem in result.Problems)
                {
                    ProblemJson.Write(json, problem.Code, problem.Message, problem.Parameter, problem.Value, problem.Expected);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("compatible", compatible);
            json.WriteEndObject();
        });
        return compatible ? ExitCodes.Ok : ExitCodes.Incompatible;
    }

    private ForeignConfiguration ReadSource(CheckSource source, out string name, out DeviceDocument document)
    {
        if (source.Uuid is MdevUuid uuid)
        {
            name = $"device {uuid}";
            // check opens no kernel device (closing a kernel device's fd can change its state, and a VMM may hold it);
            // the estimate comes from an emulated device something already opened, or from describe's document.
            bool readable = host.Sysfs is EmulatedSysfs emulated && emulated.IsOpened(uuid);
            document = readable ? DeviceFacts.Describe(host, opener, uuid, open: true)
                : DeviceDocument.From(host.ReadConfiguration(uuid), uuid.ToString()) with
                {
                    StopCopyUnknown = host.Sysfs is EmulatedSysfs ? "the device was not opened yet" : "check opens no device; 'vfioctl describe --json' reads the estimate into the document",
                };
            return host.ReadConfiguration(uuid).ToForeign(uuid.ToString());
        }
        string path = source.DocumentPath!;
        document = ReadDocument(path, console);
        string file = path == "-" ? "stdin" : Path.GetFileName(path);
        name = document.Uuid is null ? $"document {file}" : $"device {document.Uuid} (from {file})";
        return document.ToForeign();
    }

    /// <summary>A device document from a file, or from stdin for <c>-</c> (<c>check --device</c>, <c>start --like</c>).</summary>
    public static DeviceDocument ReadDocument(string path, CliConsole console) => DeviceDocument.Parse(CliFiles.ReadDocument(path, "device document", console));

    private List<(string Name, CompatibilityResult Result)> CheckAgainst(ForeignConfiguration source, CheckDestination destination)
    {
        MdevHost target = destination.Root is string root ? hosts.Open(root).Tree : host;
        string where = destination.Root is string r ? $" on {r}" : "";
        source = LearnOffValues(source, target, destination);
        if (destination.Device is MdevUuid device)
        {
            DeviceConfiguration existing = target.ReadConfiguration(device);
            return [($"device {device}{where}", CompatibilityChecker.Check(source, existing, device.ToString()))];
        }
        if (destination.Type is TypeAddress type)
        {
            MdevType found = target.GetSupportedType(type.Parent, type.Type);
            MigrationInfo info = HostModels.Document(found)
                ?? throw CliErrors.TypeHasNoMigrationInfo(type.ToString(), where, ".");
            return [($"type {type}{where}", CheckType(source, info))];
        }
        HostCapabilities capabilities = HostCapabilities.Parse(ReadFile(destination.HostDocumentPath!, "host capability document"));
        source = source.WithOffValuesFrom(capabilities.Parents.SelectMany(p => p.Types).Select(t => t.MigrationInfo.Find(source.Model)).OfType<ModelDescription>());
        var outcomes = new List<(string Name, CompatibilityResult Result)>();
        foreach (ParentCapabilities parent in capabilities.Parents)
        {
            foreach (TypeCapabilities t in parent.Types)
            {
                if (t.MigrationInfo.Find(source.Model) is not null)
                {
                    outcomes.Add(($"host {capabilities.Host} type {parent.Name}/{t.Name}", CheckType(source, t.MigrationInfo)));
                }
            }
        }
        if (outcomes.Count == 0)
        {
            // No type runs the model at all: the same verdict the checker gives a type of another model.
            ModelDescription? any = capabilities.Parents.SelectMany(p => p.Types).Select(t => t.MigrationInfo.Models[0]).FirstOrDefault();
            outcomes.Add(($"host {capabilities.Host}", any is null
                ? throw CliErrors.HostHasNoMigrationInfo(capabilities.Host)

                : CompatibilityChecker.Check(source, any)));
        }
        return outcomes;
    }

    // A document need not state its parameters' off values (one written by hand states only 'rss=off'): a parameter's off
    // value is the model's, so the destination's descriptions of the model (every type of the destination host, or of
    // the capability document) and this host's say it. Only what the source left unsaid is learned.
    private ForeignConfiguration LearnOffValues(ForeignConfiguration source, MdevHost target, CheckDestination destination)
    {
        if (source.Values.Keys.All(source.OffValues.ContainsKey))
        {
            return source;
        }
        IEnumerable<ModelDescription> known = HostModels.Descriptions(host, source.Model);
        if (destination.HostDocumentPath is null && !ReferenceEquals(target, host))
        {
            known = HostModels.Descriptions(target, source.Model).Concat(known);
        }
        return source.WithOffValuesFrom(known);
    }

    // A type may describe several models; the source's own model is the one that matters.
    public static CompatibilityResult CheckType(ForeignConfiguration source, MigrationInfo info) =>
        CompatibilityChecker.Check(source, info.Find(source.Model) ?? info.Models[0]);

    private static string Describe(ForeignConfiguration configuration) =>
        configuration.Values.Count == 0 ? "every parameter off" : string.Join(",", configuration.Values.Select(kv => $"{kv.Key}={kv.Value}"));

    private static string ReadFile(string path, string kind) => CliFiles.ReadDocument(path, kind);
}
