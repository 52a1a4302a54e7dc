using Vfio.Errors;
using Vfio.IO;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Definitions;

/// <summary>
/// Persistent definitions in mdevctl's layout, <c>&lt;config-root&gt;/&lt;parent&gt;/&lt;uuid&gt;</c> (by default
/// <c>/etc/mdevctl.d</c>), so mdevctl and this manager see and start the same definitions.
/// </summary>
/// <remarks>
/// Writes are atomic (temporary file in the same directory, fsync, rename, fsync of the directory): a crash or
/// a concurrent reader sees the old definition or the new one, never a torn file. <c>scripts.d</c> and entries
/// whose names are not parents or UUIDs are skipped, as mdevctl skips them. Every file is reached through
/// <see cref="PathResolver"/>, so a symbolic link planted in the store that leads out of it is refused
/// (<see cref="ErrorCode.PathInvalid"/>) rather than read, written or deleted; new files are 0600 and new parent
/// directories 0700 (<see cref="PrivateFiles"/>): a definition can name attributes an operator did not mean to publish.
/// </remarks>
public sealed class DefinitionStore
{
    /// <summary>The lock file every change to the store is made under, in the store's root (mdevctl skips it: not a parent name).</summary>
    public const string LockFileName = ".vfioctl.lock";

    /// <summary>The largest definition file read: mdevctl's are a few hundred bytes.</summary>
    internal const int MaxDefinitionBytes = 1024 * 1024;

    private readonly SysfsPath _root;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Opens the store.</summary>
    /// <param name="configRoot">The definitions directory, e.g. <c>/etc/mdevctl.d</c>.</param>
    /// <param name="lockTimeout">How long a change waits for another process's change; defaults to 10 seconds.</param>
    public DefinitionStore(string configRoot, TimeSpan? lockTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configRoot);
        _root = new SysfsPath(Path.GetFullPath(configRoot), string.Empty);
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The file a definition lives in.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="uuid">The device.</param>
    /// <returns><c>&lt;config-root&gt;/&lt;parent&gt;/&lt;uuid&gt;</c>.</returns>
    public string PathOf(ParentDeviceName parent, MdevUuid uuid) => (_root / parent.Value / uuid.ToString()).FullPath;

    /// <summary>Every definition, sorted by parent and UUID.</summary>
    /// <returns>The definitions.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionInvalid"/> naming a malformed file.</exception>
    public IReadOnlyList<MdevDefinition> List() => List(skipped: null);

    /// <summary>
    /// Every definition that can be read, sorted by parent and UUID; a file that cannot (malformed, not a regular
    /// file, unreadable, linked out of the store) is added to <paramref name="skipped"/> instead of failing the listing,
    /// as mdevctl skips it with a warning.
    /// </summary>
    /// <param name="skipped">Receives the error of each file skipped; null to throw the first one instead.</param>
    /// <returns>The definitions.</returns>
    /// <remarks>A file whose name is the UUID in upper or mixed case is listed under the canonical lower-case UUID
    /// (RFC 4122 UUIDs are case-insensitive); when two spellings of one UUID exist, the canonical one is listed.</remarks>
    public IReadOnlyList<MdevDefinition> List(ICollection<VfioException>? skipped)
    {
        var definitions = new List<MdevDefinition>();
        try
        {
            if (!RootExists())
            {
                return definitions;
            }
        }
        catch (VfioFileException e) when (skipped is not null)
        {
            skipped.Add(e);
            return definitions;
        }
        foreach (string parentDirectory in Directory.EnumerateDirectories(_root.FullPath).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(parentDirectory);
            if (name == "scripts.d" || !ParentDeviceName.TryParse(name, out ParentDeviceName parent))
            {
                continue;
            }
            foreach ((MdevUuid uuid, string fileName) in Entries(parentDirectory))
            {
                try
                {
                    // A file undefined between the listing and the read is simply gone.
                    if (TryRead(parent, uuid, fileName) is MdevDefinition definition)
                    {
                        definitions.Add(definition);
                    }
                }
                catch (VfioException e) when (skipped is not null)
                {
                    // Named by its device, so a caller can tell whose definition was left out.
                    skipped.Add(e.Device is not null ? e : ManagerErrors.NamingDevice(uuid, e));
                }
            }
        }
        return definitions;
    }

    /// <summary>The definition of a device, or null; with no parent given, under whichever parent holds it.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="parent">The parent, or null to search every parent.</param>
    /// <returns>The definition or null.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionInvalid"/> for a malformed file of this device
    /// (other devices' files are not read).</exception>
    public MdevDefinition? Find(MdevUuid uuid, ParentDeviceName? parent = null)
    {
        if (parent is ParentDeviceName p)
        {
            return StoredName(p, uuid) is string fileName ? TryRead(p, uuid, fileName) : null;
        }
        if (!RootExists())
        {
            return null;
        }
        foreach (string parentDirectory in Directory.EnumerateDirectories(_root.FullPath).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(parentDirectory);
            if (name != "scripts.d" && ParentDeviceName.TryParse(name, out ParentDeviceName candidate)
                && StoredName(candidate, uuid) is string fileName && TryRead(candidate, uuid, fileName) is MdevDefinition definition)
            {
                return definition;
            }
        }
        return null;
    }

    /// <summary>Writes a new definition.</summary>
    /// <param name="definition">The definition.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionExists"/> when the UUID is already defined (under any parent);
    /// <see cref="ErrorCode.LockTimeout"/> when another process's change does not finish in time.</exception>
    public void Define(MdevDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        // The check and the write under one lock: two processes defining one UUID under two parents must not both succeed.
        using HostLock storeLock = TakeLock();
        if (Find(definition.Uuid) is MdevDefinition existing)
        {
            throw ManagerErrors.DefinitionExists(definition.Uuid, existing.Parent, PathOf(existing.Parent, existing.Uuid));
        }
        Save(definition);
    }

    /// <summary>Replaces an existing definition (type, start mode, attributes).</summary>
    /// <param name="definition">The new content.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionNotFound"/> when there is no such definition under that parent;
    /// <see cref="ErrorCode.LockTimeout"/>.</exception>
    public void Modify(MdevDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        // Under the lock, so a concurrent undefine cannot be undone by this write landing after it.
        using HostLock storeLock = TakeLock();
        Require(definition.Uuid, definition.Parent);
        Save(definition);
    }

    /// <summary>Deletes a definition; an active device stays.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="parent">The parent, or null for whichever holds it.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionNotFound"/>; <see cref="ErrorCode.LockTimeout"/>.</exception>
    public void Undefine(MdevUuid uuid, ParentDeviceName? parent = null)
    {
        using HostLock storeLock = TakeLock();
        MdevDefinition definition = Require(uuid, parent);
        foreach (string fileName in StoredNames(definition.Parent, uuid))
        {
            string file = Resolved(definition.Parent, fileName);
            FileFault.Run($"removing the definition '{file}'", file, () => File.Delete(file), "the definition is kept");
            AtomicFile.SyncDirectory(Path.GetDirectoryName(file)!, $"removing the definition '{file}' (fsync of its directory)",
                "the definition is removed, but the removal may not survive a crash");
        }
    }

    /// <summary>The definition, or <see cref="ErrorCode.DefinitionNotFound"/>.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="parent">The parent, or null for whichever holds it.</param>
    /// <returns>The definition.</returns>
    public MdevDefinition Require(MdevUuid uuid, ParentDeviceName? parent = null) =>
        Find(uuid, parent) ?? throw ManagerErrors.DefinitionNotFound(uuid, parent, _root.FullPath);

    private void Save(MdevDefinition definition)
    {
        PrivateFiles.CreateDirectory(PathResolver.Resolve(_root / definition.Parent.Value).FullPath);
        string canonical = definition.Uuid.ToString();
        PrivateFiles.Write(Resolved(definition.Parent, canonical), DefinitionJson.Write(definition), "definition");
        // Written under the canonical name first, then any other spelling of the UUID goes: never two definitions of one device.
        foreach (string other in StoredNames(definition.Parent, definition.Uuid).Where(n => n != canonical))
        {
            string file = Resolved(definition.Parent, other);
            FileFault.Run($"removing the old spelling '{file}' of the definition", file, () => File.Delete(file),
                $"the definition is written under '{canonical}'; '{other}' is left and the listing prefers the canonical name");
        }
    }

    /// <summary>
    /// Whether the store's directory exists. <see cref="Directory.Exists(string)"/> says false for a directory the user
    /// may not look into, which would make a root-owned store look empty to an unprivileged user ("not defined");
    /// that is <see cref="ErrorCode.FilePermissionDenied"/> instead.
    /// </summary>
    private const int ENOENT = 2, ENOTDIR = 20;

    private bool RootExists()
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.Exists(_root.FullPath);
        }
        if (UnixFileStatus.TryStat(_root.FullPath, out _, out int errno))
        {
            return true;
        }
        if (errno is ENOENT or ENOTDIR)
        {
            return false;
        }
        throw new VfioFileException(errno, $"reading the definitions store '{_root.FullPath}'", _root.FullPath, "nothing was changed");
    }

    /// <summary>The files of one parent directory whose names are UUIDs in any case, canonical spelling first per UUID.</summary>
    private static IEnumerable<(MdevUuid Uuid, string FileName)> Entries(string parentDirectory)
    {
        var seen = new HashSet<MdevUuid>();
        foreach ((MdevUuid uuid, string fileName) in Directory.EnumerateFiles(parentDirectory)
            .Select(f => Path.GetFileName(f))
            .Select(n => (Ok: MdevUuid.TryParseIgnoringCase(n, out MdevUuid u), Uuid: u, Name: n))
            .Where(e => e.Ok)
            .OrderBy(e => e.Uuid.ToString(), StringComparer.Ordinal)
            .ThenBy(e => e.Name == e.Uuid.ToString() ? 0 : 1)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => (e.Uuid, e.Name)))
        {
            if (seen.Add(uuid))
            {
                yield return (uuid, fileName);
            }
        }
    }

    /// <summary>Every file name under which <paramref name="uuid"/> is stored below <paramref name="parent"/>, canonical first.</summary>
    private List<string> StoredNames(ParentDeviceName parent, MdevUuid uuid)
    {
        string directory = PathResolver.Resolve(_root / parent.Value).FullPath;
        if (!Directory.Exists(directory))
        {
            return [];
        }
        string canonical = uuid.ToString();
        string[] files;
        try
        {
            files = Directory.GetFiles(directory);
        }
        catch (DirectoryNotFoundException)
        {
            // The parent's last definition was undefined, and its directory removed, by another process meanwhile.
            return [];
        }
        return [.. files
            .Select(f => Path.GetFileName(f))
            .Where(n => MdevUuid.TryParseIgnoringCase(n, out MdevUuid u) && u == uuid)
            .OrderBy(n => n == canonical ? 0 : 1)
            .ThenBy(n => n, StringComparer.Ordinal)];
    }

    /// <summary>The name <paramref name="uuid"/> is stored under below <paramref name="parent"/> (canonical preferred), or null.</summary>
    private string? StoredName(ParentDeviceName parent, MdevUuid uuid) => StoredNames(parent, uuid).FirstOrDefault();

    private HostLock TakeLock()
    {
        PrivateFiles.CreateDirectory(_root.FullPath);
        return HostLock.Acquire(Path.Join(_root.FullPath, LockFileName), _lockTimeout, "the definitions store lock");
    }

    /// <summary>The definition, or null when its file does not exist (or was undefined while being read).</summary>
    private MdevDefinition? TryRead(ParentDeviceName parent, MdevUuid uuid, string fileName)
    {
        string file = Resolved(parent, fileName);
        string shown = (_root / parent.Value / fileName).FullPath;
        // A FIFO would block the read forever and a device file never end: only a regular file of bounded size is read.
        if (UnixFileStatus.TryStat(file, out UnixFileStatus status, out _)
            && (status.Kind != UnixFileKind.Regular || status.Size > MaxDefinitionBytes))
        {
            throw ManagerErrors.DefinitionInvalid(shown, $"it is not a regular file of at most {MaxDefinitionBytes} bytes",
                device: uuid, expected: $"a JSON file of at most {MaxDefinitionBytes} bytes");

        }
        string content;
        try
        {
            content = File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Undefined by another process between the listing and the read.
            return null;
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.From(e, $"reading the definition '{shown}'", shown, "nothing was changed");
        }
        return DefinitionJson.Read(shown, uuid, parent, content);
    }

    /// <summary>The definition's file with every link on the way resolved; <see cref="ErrorCode.PathInvalid"/> when a link leads out of the store.</summary>
    private string Resolved(ParentDeviceName parent, string fileName) => PathResolver.Resolve(_root / parent.Value / fileName).FullPath;
}
