using System.Text.Json;
using System.Text.Json.Serialization;
using Vfio.Errors;
using Vfio.Files;
using Vfio.IO;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Migration;

/// <summary>
/// The migration journal of a host: one small file per device that a save, load or migration is moving, at
/// <c>&lt;root&gt;/var/lib/vfio-migrate/journal/&lt;uuid&gt;.json</c> (mode 0600). It is written, atomically, before the
/// first state change and removed when the operation ends, so a file found by a fresh process means a process died
/// mid-migration: <c>vfioctl resume</c> or <c>abort</c> read it to finish the job, and every other migration verb on
/// the device refuses with <see cref="ErrorCode.MigrationInterrupted"/> until one of them has.
/// </summary>
public sealed class MigrationJournal
{
    private readonly string _root;

    /// <summary>The journal of a host whose tree is rooted at <paramref name="root"/> (<c>/</c> on a real host).</summary>
    /// <param name="root">The host's root directory.</param>
    public MigrationJournal(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
        Directory = Path.Join(_root, JournalRelative);
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>The journal of a migration endpoint (its host's root).</summary>
    internal static MigrationJournal Of(MigrationEndpoint endpoint) => new(endpoint.Root);

    /// <summary>The entry of a device, or null when no migration of it was interrupted.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.MigrationInterrupted"/> when the file exists but does not parse
    /// (a journal is written atomically, so that is damage from outside; the device still needs resume or abort);
    /// <see cref="ErrorCode.FileKindInvalid"/> when something other than a regular file of at most
    /// <see cref="MaxEntryBytes"/> sits at its name (a FIFO there would block every migration verb forever), and a
    /// <see cref="VfioFileException"/> when it cannot be read.</exception>
    public MigrationJournalEntry? Find(MdevUuid device)
    {
        string path = PathOf(device);
        // lstat, never open: opening a FIFO planted at this name would block until a writer came.
        if (!UnixFileStatus.TryLstat(path, out UnixFileStatus status, out _))
        {
            return null;
        }
        if (status.Kind != UnixFileKind.Regular || status.Size > MaxEntryBytes)
        {
            throw new VfioFileException(ErrorCode.FileKindInvalid, status.Kind == UnixFileKind.Directory ? EISDIR : 0,
                $"reading the migration journal entry '{path}' of {device} (it is {status.Describe()}, not a regular file of at most {MaxEntryBytes} bytes)", path,
                $"nothing was read or changed; remove it ('rm {path}') after checking the device with 'vfioctl describe {device}'")
            {
                Device = device.ToString(),
                Expected = "a regular file",
            };
        }
        string text = FileFault.Run($"reading the migration journal entry '{path}' of {device}", path, () => TextFile.ReadAll(path), "nothing was changed");
        try
        {
            return JsonSerializer.Deserialize(text, MigrationJournalJsonContext.Default.MigrationJournalEntry)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw ManagerErrors.JournalUnparsable(device, path, e);
        }
    }

    /// <summary>Throws <see cref="ErrorCode.MigrationInterrupted"/> when a migration of <paramref name="device"/> was interrupted.</summary>
    /// <param name="device">The device a new operation wants to move.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.MigrationInterrupted"/>.</exception>
    public void ThrowIfInterrupted(MdevUuid device)
    {
        if (Find(device) is { } entry)
        {
            throw Interrupted(device, entry);
        }
    }

    /// <summary>The error that names an interrupted migration and what to do about it.</summary>
    internal static VfioException Interrupted(MdevUuid device, MigrationJournalEntry entry) => ManagerErrors.MigrationInterrupted(device, entry);

    /// <summary>Writes (or replaces) the entry of a device, durably, before the state change it announces.</summary>
    internal void Write(MdevUuid device, MigrationJournalEntry entry)
    {
        PrivateFiles.CreateDirectory(Resolved(JournalRelative));
        string path = PathOf(device);
        if (UnixFileStatus.TryLstat(path, out UnixFileStatus status, out _) && status.Kind != UnixFileKind.Regular)
        {
            throw new VfioFileException(ErrorCode.FileKindInvalid, 0,
                $"writing the migration journal entry '{path}' of {device} (it is {status.Describe()}, not a regular file)", path, "nothing was changed")
            {
                Device = device.ToString(),
            };
        }
        PrivateFiles.Write(path, JsonSerializer.Serialize(entry, MigrationJournalJsonContext.Default.MigrationJournalEntry), "migration journal entry");
    }

    /// <summary>Removes the entry of a device: its migration ended (done, or rolled back).</summary>
    internal void Remove(MdevUuid device)
    {
        string path = PathOf(device);
        FileFault.Run($"removing the migration journal entry '{path}' of {device}", path, () => File.Delete(path),
            $"the entry is left: the next migration verb on {device} reports E6018 until 'vfioctl resume' or 'abort' clears it");
    }

    /// <summary>The largest journal entry read: a real one is a few hundred bytes.</summary>
    public const int MaxEntryBytes = 64 * 1024;

    private const int EISDIR = 21;

    /// <summary>Every entry of the journal, by device: migrations whose process died or whose rollback could not finish.</summary>
    /// <returns>The devices and their entries; an entry that does not parse is listed with a null entry.</returns>
    public IReadOnlyList<(MdevUuid Device, MigrationJournalEntry? Entry)> List()
    {
        string directory = Resolved(JournalRelative);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }
        var entries = new List<(MdevUuid, MigrationJournalEntry?)>();
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            if (!MdevUuid.TryParse(Path.GetFileNameWithoutExtension(file), out MdevUuid device))
            {
                continue;
            }
            try
            {
                entries.Add((device, Find(device)));
            }
            catch (VfioException e) when (e.Code == ErrorCode.MigrationInterrupted)
            {
                entries.Add((device, null));
            }
        }
        return entries;
    }

    /// <summary>
    /// The record that a device's state moved away (a save wrote the whole stream, a migration's destination runs, or
    /// <c>abort</c> retired it), or null. While it exists, <see cref="MigrationOrchestrator.Resume"/> refuses the device
    /// with <see cref="ErrorCode.StateMovedAway"/> unless forced: running it would run the guest twice.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <returns>The record, or null.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.StateMovedAway"/> when the record exists but does not parse
    /// (it is written atomically, so that is damage from outside; the state is taken to have moved).</exception>
    public MovedAwayRecord? FindMoved(MdevUuid device)
    {
        string path = MovedPathOf(device);
        if (!File.Exists(path))
        {
            return null;
        }
        string text = TextFile.ReadAll(path);
        if (MovedAwayRecordReader.TryRead(text, out MovedAwayRecord? record))
        {
            return record;
        }
        try
        {
            return JsonSerializer.Deserialize(text, MigrationJournalJsonContext.Default.MovedAwayRecord)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw ManagerErrors.MovedRecordUnparsable(device, path, e);


        }
    }

    /// <summary>Records, durably, that a device's state moved away (replacing an earlier record).</summary>
    internal void MarkMoved(MdevUuid device, MovedAwayRecord record)
    {
        PrivateFiles.CreateDirectory(Resolved(MovedRelative));
        PrivateFiles.Write(MovedPathOf(device), JsonSerializer.Serialize(record, MigrationJournalJsonContext.Default.MovedAwayRecord));
    }

    /// <summary>Forgets that a device's state moved away: it runs again (forced), it was removed, or it is a new device.</summary>
    internal void ClearMoved(MdevUuid device)
    {
        string directory = Path.Join(_root, MovedRelative);
        if (System.IO.Directory.Exists(directory))
        {
            File.Delete(MovedPathOf(device));
        }
    }

    /// <summary>Appends one line to the migration log (<c>var/lib/vfio-migrate/migration.log</c>, 0600): what an
    /// operator forced, so that it can be found after the fact.</summary>
    internal void AppendLog(string line)
    {
        PrivateFiles.CreateDirectory(Resolved(LogDirectoryRelative));
        string path = Resolved(LogRelative);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFiles.FileMode;
        }
        using var stream = new FileStream(path, options);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes($"{DateTimeOffset.UtcNow:u} pid {Environment.ProcessId} {line}\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The migration log (<see cref="AppendLog"/>).</summary>
    public string LogPath => Path.Join(_root, LogRelative);

    /// <summary>The entry's file with every link on the way resolved; <see cref="ErrorCode.PathInvalid"/> when a link
    /// planted under var/lib leads out of the host's root.</summary>
    private string PathOf(MdevUuid device) => Resolved(Path.Join(JournalRelative, device.ToString() + ".json"));

    private string MovedPathOf(MdevUuid device) => Resolved(Path.Join(MovedRelative, device.ToString() + ".json"));

    private const string JournalRelative = "var/lib/vfio-migrate/journal";

    private const string MovedRelative = "var/lib/vfio-migrate/moved";

    private const string LogDirectoryRelative = "var/lib/vfio-migrate";

    private const string LogRelative = "var/lib/vfio-migrate/migration.log";

    private string Resolved(string relative) => PathResolver.Resolve(new SysfsPath(_root, relative)).FullPath;
}

/// <summary>What the journal says about a device being moved.</summary>
public sealed class MigrationJournalEntry
{
    /// <summary>The operation name of <c>vfioctl save</c>.</summary>
    public const string Save = "save";

    /// <summary>The operation name of <c>vfioctl load</c>.</summary>
    public const string Load = "load";

    /// <summary>The operation name of <c>vfioctl migrate</c>.</summary>
    public const string Migrate = "migrate";

    /// <summary><see cref="Save"/>, <see cref="Load"/> or <see cref="Migrate"/>.</summary>
    [JsonPropertyName("operation")]
    public string Operation { get; init; } = "";

    /// <summary>The source device, for a save or migration.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>The destination device, for a load or migration.</summary>
    [JsonPropertyName("destination")]
    public string? Destination { get; init; }

    /// <summary>The destination host's root when it is not this host (migrate --to-root), else null.</summary>
    [JsonPropertyName("destination_root")]
    public string? DestinationRoot { get; init; }

    /// <summary>Whether the operation created the destination (recovery then removes it).</summary>
    [JsonPropertyName("destination_created")]
    public bool DestinationCreated { get; init; }

    /// <summary>
    /// Whether the destination has loaded the whole state (RESUMING -> STOP done). Until then a destination that reads
    /// RUNNING is a fresh device that never received the state, not a finished migration.
    /// </summary>
    [JsonPropertyName("loaded")]
    public bool Loaded { get; init; }

    /// <summary>
    /// How far the operation got: <see cref="PhaseStarted"/>, <see cref="PhaseEndRecordSending"/> (the stream's end
    /// record is being written: from here the whole state may have left the source), <see cref="PhaseDestinationRunning"/>
    /// (the destination runs), or <see cref="PhaseRollbackIncomplete"/> (the operation failed and its rollback could not
    /// finish). Absent in entries written before phases were recorded (then read as started).
    /// </summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; init; }

    /// <summary>The operation has started; no side has completed.</summary>
    public const string PhaseStarted = "started";

    /// <summary>The stream's end record is being written: the whole state may have left the source.</summary>
    public const string PhaseEndRecordSending = "end-record-sending";

    /// <summary>The destination runs: the migration completed, only the journal's removal was left.</summary>
    public const string PhaseDestinationRunning = "destination-running";

    /// <summary>The operation failed and its rollback could not finish; <c>resume</c> or <c>abort</c> finish it.</summary>
    public const string PhaseRollbackIncomplete = "rollback-incomplete";

    /// <summary>Whether the whole state may have left the source (the end record was being written, or the destination runs).</summary>
    [JsonIgnore]
    public bool StateMayHaveLeft => Phase is PhaseEndRecordSending or PhaseDestinationRunning;

    /// <summary>When the operation started (UTC).</summary>
    [JsonPropertyName("started")]
    public DateTimeOffset Started { get; init; }

    /// <summary>The process that ran it.</summary>
    [JsonPropertyName("pid")]
    public int ProcessId { get; init; }
}

/// <summary>
/// The record that a device's state moved away, kept in <c>var/lib/vfio-migrate/moved/&lt;uuid&gt;.json</c> (0600)
/// after the operation that moved it ended: what QEMU calls a source in "postmigrate" state. <c>resume</c> refuses
/// such a device (<see cref="ErrorCode.StateMovedAway"/>) unless forced; removing the device, or creating a new one
/// under its UUID, forgets the record.
/// </summary>
public sealed class MovedAwayRecord
{
    /// <summary>The whole stream (up to its end record) was written by a save; where it went is not known here.</summary>
    public const string StreamSent = "stream-sent";

    /// <summary>The destination loaded the state and runs (a migration on this machine, or a load on this host).</summary>
    public const string DestinationRunning = "destination-running";

    /// <summary><c>vfioctl abort</c> reset the device and left it stopped: it must not run the guest.</summary>
    public const string Retired = "retired";

    /// <summary><see cref="StreamSent"/>, <see cref="DestinationRunning"/> or <see cref="Retired"/>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "";

    /// <summary>The operation that moved it: save, migrate, load (a load on this host acknowledged the stream) or abort.</summary>
    [JsonPropertyName("operation")]
    public string Operation { get; init; } = "";

    /// <summary>The device that holds the state, when known.</summary>
    [JsonPropertyName("destination")]
    public string? Destination { get; init; }

    /// <summary>The destination host's root when it is not this host, else null.</summary>
    [JsonPropertyName("destination_root")]
    public string? DestinationRoot { get; init; }

    /// <summary>When the state moved (UTC).</summary>
    [JsonPropertyName("when")]
    public DateTimeOffset When { get; init; }

    /// <summary>The process that recorded it.</summary>
    [JsonPropertyName("pid")]
    public int ProcessId { get; init; }

    /// <summary>A record made now by this process.</summary>
    internal static MovedAwayRecord Now(string kind, string operation, string? destination, string? destinationRoot) => new()
    {
        Kind = kind,
        Operation = operation,
        Destination = destination,
        DestinationRoot = destinationRoot,
        When = DateTimeOffset.UtcNow,
        ProcessId = Environment.ProcessId,
    };

    /// <summary>One line for an operator: what happened and where the state is.</summary>
    /// <returns>The line.</returns>
    public string Describe() => Kind switch
    {
        StreamSent => $"its whole state was saved by a {Operation} at {When:u}{(Destination is null ? "" : $" and loaded into {Destination}")}; a load elsewhere may run it",
        DestinationRunning => $"its state runs in {Destination ?? "the destination"}{(DestinationRoot is null ? "" : $" on the host at {DestinationRoot}")} since {When:u} ({Operation})",
        Retired => $"it was retired by abort at {When:u}{(Destination is null ? "" : $"; its state runs in {Destination}")}",
        _ => $"its state moved away ({Kind}) at {When:u}",
    };
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MigrationJournalEntry))]
[JsonSerializable(typeof(MovedAwayRecord))]
internal sealed partial class MigrationJournalJsonContext : JsonSerializerContext
{
}
