using System.Text.Json;
using Mdev.Manager;
using Spectre.Console;
using Vfio;
using Vfioctl.Cli;
using Vfioctl.Output;

namespace Vfioctl.Commands.List;

/// <summary><c>vfioctl list</c>: mdevctl's list, with the model and configuration each device runs.</summary>
internal sealed class ListCommand(MdevDefinitions definitions, CliConsole console)
{
    public int Execute(ListFilter filter, bool dumpJson)
    {
        List<MdevListEntry> entries = [.. definitions.List().Where(e =>
            (filter.Defined ? e.Definition is not null : e.Active is not null)
            && (filter.Uuid is null || e.Uuid == filter.Uuid)
            && (filter.Parent is null || e.Parent == filter.Parent))];
        if (dumpJson)
        {
            WriteJson(entries, filter.Defined);
            return ExitCodes.Ok;
        }
        var journal = new MigrationJournal(definitions.Host.Sysfs.Layout.Root.FullPath);
        IReadOnlyList<(MdevUuid Device, MigrationJournalEntry? Entry)> interrupted = journal.List();
        WarnInterrupted(interrupted, entries);
        if (entries.Count == 0)
        {
            return ExitCodes.Ok;
        }
        var table = Tables.Create("UUID", "Parent", "Type", "Start", "State", "Model", "Configuration");
        foreach (MdevListEntry e in entries)
        {
            string state = (e.Definition is not null ? "defined" : "") + (e.Definition is not null && e.Active is not null ? ", " : "") + (e.Active is not null ? "active" : "")
                + MigrationState(journal, interrupted, e);
            table.AddRow(Tables.Cells(e.Uuid.ToString(), e.Parent.Value, e.Type.Value, e.Definition?.AutoStart == true ? "auto" : "manual", state,
                Model(e), Configuration(e)));
        }
        console.Tables.Write(table);
        return ExitCodes.Ok;
    }

    // Where a migration left the device: an interrupted one (the journal), or its state moved away (resume needs --force).
    private static string MigrationState(MigrationJournal journal, IReadOnlyList<(MdevUuid Device, MigrationJournalEntry? Entry)> interrupted, MdevListEntry e)
    {
        if (e.Active is null)
        {
            return "";
        }
        foreach ((MdevUuid device, MigrationJournalEntry? entry) in interrupted.Where(i => i.Device == e.Uuid))
        {
            return $", migration interrupted ({entry?.Operation ?? "journal unreadable"})";
        }
        try
        {
            return journal.FindMoved(e.Uuid) is { } moved ? $", moved away ({moved.Kind})" : "";
        }
        catch (VfioException unreadable) when (unreadable.Code == ErrorCode.StateMovedAway)
        {
            return ", moved away (record unreadable)";
        }
    }

    // A journal entry whose device is not in the table (a removed destination, a filtered row) is still news.
    private void WarnInterrupted(IReadOnlyList<(MdevUuid Device, MigrationJournalEntry? Entry)> interrupted, List<MdevListEntry> listed)
    {
        foreach ((MdevUuid device, MigrationJournalEntry? entry) in interrupted)
        {
            console.Error.WriteLine($"warning {ErrorCatalogue.Id(ErrorCode.MigrationInterrupted)} {ErrorCatalogue.Name(ErrorCode.MigrationInterrupted)}: " +
                $"the migration journal holds an unfinished {entry?.Operation ?? "migration"} of {device}{(entry?.Phase is { } phase ? $" ({phase})" : "")}" +
                $"{(listed.Any(l => l.Uuid == device) ? "" : " (not listed)")}; 'vfioctl resume {device}' or 'vfioctl abort {device}' finishes it");
        }
    }

    private static string Model(MdevListEntry e) => e.Active?.Migration?.Model.ToString() ?? "-";

    // What the device runs when active (canonical: only the parameters not at their off value), otherwise what
    // its definition pins.
    private string Configuration(MdevListEntry e)
    {
        if (e.Active?.Migration is not null)
        {
            try
            {
                string running = definitions.Host.ReadConfiguration(e.Uuid).ToString();
                return running.Length == 0 ? "(all off)" : running;
            }
            catch (VfioException removed) when (removed.Code == ErrorCode.DeviceNotFound)
            {
                // Stopped by another process since the listing: the table is a snapshot, not a reason to fail.
                return "(removed)";
            }
        }
        string text = string.Join(",", (e.Definition?.Attributes ?? [])
            .Where(a => a.Key.StartsWith(DefinitionAttributes.MigrationPrefix, StringComparison.Ordinal))
            .Select(a => $"{a.Key[DefinitionAttributes.MigrationPrefix.Length..]}={a.Value}"));
        return text.Length == 0 ? "-" : text;
    }

    // mdevctl list --dumpjson: [ { "<parent>": [ { "<uuid>": { "mdev_type": ..., "start": ..., "attrs": [ {k: v} ] } } ] } ]
    private void WriteJson(List<MdevListEntry> entries, bool defined)
    {
        JsonText.Write(console.Output, json =>
        {
            json.WriteStartArray();
            foreach (IGrouping<string, MdevListEntry> parent in entries.GroupBy(e => e.Parent.Value))
            {
                json.WriteStartObject();
                json.WriteStartArray(parent.Key);
                foreach (MdevListEntry e in parent)
                {
                    json.WriteStartObject();
                    json.WriteStartObject(e.Uuid.ToString());
                    json.WriteString("mdev_type", e.Type.Value);
                    json.WriteString("start", e.Definition?.AutoStart == true ? "auto" : "manual");
                    if (!defined && e.Active is not null)
                    {
                        json.WriteBoolean("active", true);
                    }
                    WriteAttrs(json, e);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    private static void WriteAttrs(Utf8JsonWriter json, MdevListEntry e)
    {
        IEnumerable<KeyValuePair<string, string>> attrs = e.Definition?.Attributes
            ?? e.Active?.Migration?.Parameters.Select(p => new KeyValuePair<string, string>(DefinitionAttributes.MigrationPrefix + p.Key.Value, p.Value))
            ?? [];
        json.WriteStartArray("attrs");
        foreach (KeyValuePair<string, string> attr in attrs)
        {
            json.WriteStartObject();
            json.WriteString(attr.Key, attr.Value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
