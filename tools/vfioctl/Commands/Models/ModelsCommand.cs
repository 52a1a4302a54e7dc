using System.Text.Json;
using Vfio.Manager.Host;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Models;

/// <summary><c>vfioctl models</c>: what a host supports, without attempting anything.</summary>
internal sealed class ModelsCommand(MdevHost host, CliConsole console)
{
    public int Execute(bool json = false)
    {
        // One entry per distinct description; the types that offer it are listed with it.
        var seen = new Dictionary<string, (ModelDescription Model, List<string> Types)>(StringComparer.Ordinal);
        foreach (MdevParent parent in host.GetParents().OrderBy(p => p.Name.Value, StringComparer.Ordinal))
        {
            foreach (MdevType type in parent.Types.OrderBy(t => t.Name.Value, StringComparer.Ordinal))
            {
                foreach (ModelDescription model in HostModels.Document(type)?.Models ?? [])
                {
                    string key = model.Id + " " + Vfio.DeviceModels.Documents.MigrationInfo.Fingerprint(model);
                    if (!seen.TryGetValue(key, out var entry))
                    {
                        seen[key] = entry = (model, []);
                    }
                    entry.Types.Add($"{parent.Name}/{type.Name}");
                }
            }
        }
        if (json)
        {
            // Each description as its own migration_info.json document (the format types publish), with its types.
            JsonText.Write(console.Output, w =>
            {
                w.WriteStartArray();
                foreach ((ModelDescription model, List<string> types) in seen.Values.OrderBy(e => e.Model.Id.ToString(), StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("model", model.Id.ToString());
                    w.WriteString("fingerprint", Vfio.DeviceModels.Documents.MigrationInfo.Fingerprint(model));
                    w.WriteStartArray("types");
                    foreach (string type in types)
                    {
                        w.WriteStringValue(type);
                    }
                    w.WriteEndArray();
                    w.WritePropertyName("migrationInfo");
                    using (JsonDocument document = JsonDocument.Parse(new Vfio.DeviceModels.Documents.MigrationInfo([model]).ToJson()))
                    {
                        document.WriteTo(w);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }
        if (seen.Count == 0)
        {
            console.Output.WriteLine("no type on this host publishes migration information.");
            return ExitCodes.Ok;
        }
        foreach ((ModelDescription model, List<string> types) in seen.Values.OrderBy(e => e.Model.Id.ToString(), StringComparer.Ordinal))
        {
            console.Output.WriteLine($"model {model.Id}   (types: {string.Join(", ", types)})");
            var parameters = Tables.Create("Parameter", "Type", "Allowed", "Off", "Init", "Since", "Description");
            foreach (ParameterSpec p in model.Parameters)
            {
                parameters.AddRow(Tables.Cells(p.Name, p.Type.ToString().ToLowerInvariant(), p.AllowedValues.Text, p.OffValue, p.InitValue, p.Since ?? "", p.Description));
            }
            console.Tables.Write(parameters);
            var versions = Tables.Create("Version", "Expands to");
            foreach (ModelVersion v in model.Versions)
            {
                string expansion = string.Join(",", model.ExpandVersion(v.Name).Select(kv => $"{kv.Key}={kv.Value}"));
                versions.AddRow(Tables.Cells(v.Name == model.LatestVersion ? v.Name + " (latest)" : v.Name, expansion.Length == 0 ? "(every parameter off)" : expansion));
            }
            console.Tables.Write(versions);
            console.Output.WriteLine();
        }
        return ExitCodes.Ok;
    }
}
