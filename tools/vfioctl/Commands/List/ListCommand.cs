using System.Text.Json;
using Mdev.Manager;
using Spectre.Console;
using Vfio;
using Vfio.DeviceModels;
using Vfioctl.Cli;
using Vfioctl.Output;

namespace Vfioctl.Commands.List;

/// <summary><c>vfioctl list</c>: mdevctl's list, with the model and configuration each device runs.</summary>
internal sealed class ListCommand(MdevDefinitions definitions, CliConsole console)
{
    public int Execute(ListFilter filter, bool dumpJson)
    {
        // A definition file that cannot be read is one warning, not a failed listing of every other device (as mdevctl).
        var skipped = new List<VfioException>();
        List<MdevListEntry> entries = [.. definitions.List(skipped).Where(e =>
            (filter.Defined ? e.Definition is not null : e.Active is not null)
            && (filter.Uuid is null || e.Uuid == filter.Uuid)
            && (filter.Parent is null || e.Parent == filter.Parent))];
        foreach (VfioException bad in skipped)
        {
            ErrorReport.Warn(console.Error, bad.Code, $"{bad.Message} (skipped; the other definitions are listed)");
        }
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
            (string model, string configuration) = Describe(e);
            table.AddRow(Tables.Cells(e.Uuid.ToString(), e.Parent.Value, e.Type.Value, e.Definition?.AutoStart == true ? "auto" : "manual", state,
                model, configuration));
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

    // An active device: the model and the full configuration it runs, read from its migration/ files or, for a driver
    // without them (mtty), from its type's manifest, exactly as describe reads them. Otherwise what its definition pins.
    private (string Model, string Configuration) Describe(MdevListEntry e)
    {
        if (e.Active is not null)
        {
            try
            {
                DeviceConfiguration running = definitions.Host.ReadConfiguration(e.Uuid);
                return (running.ModelId.ToString(), Expanded(running));
            }
            catch (VfioException removed) when (removed.Code == ErrorCode.DeviceNotFound)
            {
                // Stopped by another process since the listing: the table is a snapshot, not a reason to fail.
                return ("-", "(removed)");
            }
            catch (VfioException unknown) when (unknown.Code is ErrorCode.MigrationInfoMissing or ErrorCode.ModelUnknown)
            {
                // A device of a driver nobody described: the listing still shows it, as mdevctl would.
                return (e.Active.Migration?.Model.ToString() ?? "-", "-");
            }
        }
        string text = string.Join(",", (e.Definition?.Attributes ?? [])
            .Where(a => a.Key.StartsWith(DefinitionAttributes.MigrationPrefix, StringComparison.Ordinal))
            .Select(a => $"{a.Key[DefinitionAttributes.MigrationPrefix.Length..]}={a.Value}"));
        return ("-", text.Length == 0 ? "-" : text);
    }

    /// <summary>Every parameter with its value, sorted: compatibility is decided on this, never on the short form.</summary>
    private static string Expanded(DeviceConfiguration configuration) =>
        configuration.Values.Count == 0 ? "(no parameters)"
            : string.Join(",", configuration.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));

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
