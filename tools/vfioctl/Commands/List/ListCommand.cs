using System.Text;
using System.Text.Json;
using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.List;

/// <summary><c>vfioctl list</c>: mdevctl's list, with the model and configuration each device runs.</summary>
internal sealed class ListCommand(MdevDefinitions definitions, CliConsole console)
{
    public int Execute(ListFilter filter, bool dumpJson)
    {
        // A definition file that cannot be read is one warning, not a failed listing of every other device (as mdevctl).
        var skipped = new List<VfioException>();
        // Loops rather than LINQ on this path: a native vfioctl resolves LINQ's generic virtual calls at run time, at
        // every start (docs/benchmarks.md, "CLI start-up").
        var entries = new List<MdevListEntry>();
        foreach (MdevListEntry e in definitions.List(skipped))
        {
            if ((filter.Defined ? e.Definition is not null : e.Active is not null)
                && (filter.Uuid is null || e.Uuid == filter.Uuid)
                && (filter.Parent is null || e.Parent == filter.Parent))
            {
                entries.Add(e);
            }
        }
        foreach (VfioException bad in skipped)
        {
            ErrorReport.Warn(console.Error, bad.Code, $"{bad.Message} (skipped; the other definitions are listed)");
        }
        if (dumpJson)
        {
            if (filter.Uuid is not null && entries.Count == 1)
            {
                // mdevctl 1.2 prints one named device as its bare definition object, not the parent-keyed list.
                JsonText.Write(console.Output, json => WriteDevice(json, entries[0], filter.Defined));
            }
            else
            {
                WriteJson(entries, filter.Defined);
            }
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
            string active = e.Active is null ? "" : ActiveState(journal, interrupted, e);
            string state = (e.Definition is not null ? "defined" : "") + (e.Definition is not null && active.Length > 0 ? ", " : "") + active;
            (string model, string configuration) = Describe(e);
            table.AddRow(Tables.Cells(e.Uuid.ToString(), e.Parent.Value, e.Type.Value, e.Definition?.AutoStart == true ? "auto" : "manual", state,
                model, configuration));
        }
        console.Tables.Write(table);
        return ExitCodes.Ok;
    }

    // A running device is "active"; where a migration left it is what the operator needs instead: an interrupted one
    // (the journal), or its state moved away, so it is stopped and must not run again (resume needs --force).
    private static string ActiveState(MigrationJournal journal, IReadOnlyList<(MdevUuid Device, MigrationJournalEntry? Entry)> interrupted, MdevListEntry e)
    {
        foreach ((MdevUuid device, MigrationJournalEntry? entry) in interrupted.Where(i => i.Device == e.Uuid))
        {
            return $"active, migration interrupted ({entry?.Operation ?? "journal unreadable"})";
        }
        try
        {
            return journal.FindMoved(e.Uuid) is { } moved ? $"stopped, moved away ({moved.Kind})" : "active";
        }
        catch (VfioException unreadable) when (unreadable.Code == ErrorCode.StateMovedAway)
        {
            return "stopped, moved away (record unreadable)";
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
    // without them (mtty), from its type's manifest, exactly as describe reads them; a definition that pins another
    // configuration (a pending modify) is named after it. Otherwise what its definition pins, in the type's model.
    private (string Model, string Configuration) Describe(MdevListEntry e)
    {
        (string Model, string Configuration)? defined = e.Definition is null ? null : Defined(e);
        if (e.Active is not null)
        {
            try
            {
                DeviceConfiguration running = definitions.Host.ReadConfiguration(e.Uuid);
                string configuration = Expanded(running);
                return (running.ModelId.ToString(), defined is { } d && d.Configuration != "-" && d.Configuration != configuration
                    ? $"{configuration} (definition, at the next start: {d.Configuration})"
                    : configuration);
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
        return defined ?? ("-", "-");
    }

    // What a definition pins: its attribute writes applied in order (off values, then the wanted ones) in the model
    // the type runs on this host, every parameter once. A type this host lacks, or writes its model refuses: the last
    // value written to each parameter, as the writes would leave it.
    private (string Model, string Configuration) Defined(MdevListEntry e)
    {
        List<KeyValuePair<string, string>> writes = [.. e.Definition!.Attributes
            .Where(a => a.Key.StartsWith(DefinitionAttributes.MigrationPrefix, StringComparison.Ordinal))];
        try
        {
            if (definitions.Host.GetSupportedType(e.Parent, e.Type).Migration?.DefaultModel is { } model)
            {
                DeviceConfiguration? pinned = DefinitionAttributes.ToConfiguration(model, writes);
                return (model.Id.ToString(), pinned is null ? "-" : Expanded(pinned));
            }
        }
        catch (VfioException)
        {
            // The parent or type is not on this host now, or the writes do not fit its model: shown as written.
        }
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> write in writes)
        {
            last[write.Key[DefinitionAttributes.MigrationPrefix.Length..]] = write.Value;
        }
        return ("-", last.Count == 0 ? "-" : Sorted(last));
    }

    /// <summary>Every parameter with its value, sorted: compatibility is decided on this, never on the short form.</summary>
    private static string Expanded(DeviceConfiguration configuration) =>
        configuration.Values.Count == 0 ? "(no parameters)" : Sorted(configuration.Values);

    /// <summary><c>key=value</c> pairs joined by commas, by key in ordinal order (the keys are a dictionary's: unique).</summary>
    private static string Sorted(IReadOnlyDictionary<string, string> values)
    {
        KeyValuePair<string, string>[] pairs = [.. values];
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        for (int i = 0; i < pairs.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(pairs[i].Key).Append('=').Append(pairs[i].Value);
        }
        return text.ToString();
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
                    json.WritePropertyName(e.Uuid.ToString());
                    WriteDevice(json, e, defined);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    // One device: { "mdev_type": ..., "start": ..., "attrs": [ {k: v} ] } (and "active" in a listing of running devices).
    private static void WriteDevice(Utf8JsonWriter json, MdevListEntry e, bool defined)
    {
        json.WriteStartObject();
        json.WriteString("mdev_type", e.Type.Value);
        json.WriteString("start", e.Definition?.AutoStart == true ? "auto" : "manual");
        if (!defined && e.Active is not null)
        {
            json.WriteBoolean("active", true);
        }
        WriteAttrs(json, e);
        json.WriteEndObject();
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
