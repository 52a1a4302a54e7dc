using System.Text.Json;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Types;

/// <summary><c>vfioctl types</c>: mdevctl's <c>types</c>, plus the model each type's devices run.</summary>
internal sealed class TypesCommand(MdevHost host, CliConsole console)
{
    public int Execute(ParentDeviceName? parent, bool dumpJson)
    {
        IReadOnlyList<MdevParent> parents = parent is ParentDeviceName only ? [host.GetParent(only)] : host.GetParents();
        parents = [.. parents.OrderBy(p => p.Name.Value, StringComparer.Ordinal)];
        if (dumpJson)
        {
            WriteJson(parents);
            return ExitCodes.Ok;
        }
        var table = Tables.Create("Parent", "Type", "Name", "Available", "API", "Model");
        foreach (MdevParent p in parents)
        {
            foreach (MdevType type in p.Types.OrderBy(t => t.Name.Value, StringComparer.Ordinal))
            {
                ModelDescription? model = HostModels.DefaultModel(type);
                table.AddRow(Tables.Cells(p.Name.Value, type.Name.Value, type.DisplayName ?? "", Tables.Number(type.AvailableInstances), type.DeviceApi,
                    model is null ? "(none)" : $"{model.Id} (latest version {model.LatestVersion ?? "-"})"));
            }
        }
        console.Tables.Write(table);
        return ExitCodes.Ok;
    }

    // mdevctl types --dumpjson: [ { "<parent>": [ { "<type>": { "available_instances": n, ... } } ] } ]
    private void WriteJson(IReadOnlyList<MdevParent> parents)
    {
        JsonText.Write(console.Output, json =>
        {
            json.WriteStartArray();
            foreach (MdevParent parent in parents)
            {
                json.WriteStartObject();
                json.WriteStartArray(parent.Name.Value);
                foreach (MdevType type in parent.Types.OrderBy(t => t.Name.Value, StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    json.WriteStartObject(type.Name.Value);
                    json.WriteNumber("available_instances", type.AvailableInstances);
                    json.WriteString("device_api", type.DeviceApi);
                    if (type.DisplayName is not null)
                    {
                        json.WriteString("name", type.DisplayName);
                    }
                    if (type.Description is not null)
                    {
                        json.WriteString("description", type.Description);
                    }
                    if (HostModels.Document(type) is { } info)
                    {
                        json.WritePropertyName("migration_info");
                        using JsonDocument document = JsonDocument.Parse(info.ToJson());
                        document.WriteTo(json);
                    }
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }
}
