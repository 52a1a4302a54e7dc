using Vfio.Errors;
using Vfio.Files;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

// Instance accounting: a type's own available_instances, or a pool its parent's types share (mtty's ports).
public sealed partial class EmulatedSysfs
{
    /// <summary>The instance pool a parent's types share, or null when each type counts its own instances.</summary>
    /// <param name="parent">The parent.</param>
    /// <returns>The pool as it stands now; its free units are derived from the devices that exist.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when the pool file does not parse.</exception>
    public EmulatedInstancePool? ReadInstancePool(ParentDeviceName parent)
    {
        SysfsPath file = _paths.InstancePool(parent);
        if (!File.Exists(file.FullPath))
        {
            return null;
        }
        EmulatedInstancePool pool = EmulatedInstancePool.Parse(file, TextFile.ReadAll(file.FullPath));
        int held = pool.UnitsPerInstance.Sum(member => CountDevices(parent, member.Key) * member.Value);
        return pool with { Free = Math.Max(0, pool.Units - held) };
    }

    /// <summary>Instrumentation for crash-consistency tests: called after each durable change a create or remove makes,
    /// with its name, so a test can end the process exactly there. Null (nothing called) unless a test sets it.</summary>
    internal Action<string>? AfterDurableWrite { get; set; }

    private void Written(string point) => AfterDurableWrite?.Invoke(point);

    /// <summary>The instances a new device of the type can still take, and the pool it draws from (null: the type counts alone).</summary>
    private (int Available, EmulatedInstancePool? Pool) ReadAvailable(ParentDeviceName parent, MdevTypeName type)
    {
        if (ReadInstancePool(parent) is EmulatedInstancePool pool && pool.UnitsPerInstance.ContainsKey(type))
        {
            return (pool.AvailableInstances(type), pool);
        }
        if (ReadCapacity(parent, type) is int capacity)
        {
            return (Math.Max(0, capacity - CountDevices(parent, type)), null);
        }
        // A host laid out before capacities were recorded: the file is the count.
        return (_files.ReadInt(Layout.TypeAvailableInstances(parent, type)), null);
    }

    /// <summary>The derived <c>available_instances</c> of the type whose attribute <paramref name="path"/> names, or null
    /// when the path is not such an attribute of this host or the type has no recorded capacity.</summary>
    private int? DerivedAvailable(SysfsPath path)
    {
        if (_files.Resolve(path) is not SysfsPath resolved)
        {
            return null;
        }
        string[] segments = resolved.Relative.Split('/');
        string[] devicesRoot = _paths.DevicesRoot.Relative.Split('/');
        if (segments.Length != devicesRoot.Length + 4 || !segments.AsSpan(0, devicesRoot.Length).SequenceEqual(devicesRoot)
            || segments[devicesRoot.Length + 1] != "mdev_supported_types"
            || !ParentDeviceName.TryParse(segments[devicesRoot.Length], out ParentDeviceName parent)
            || !MdevTypeName.TryParse(segments[devicesRoot.Length + 2], out MdevTypeName type))
        {
            return null;
        }
        bool pooled = ReadInstancePool(parent)?.UnitsPerInstance.ContainsKey(type) == true;
        return pooled || ReadCapacity(parent, type) is not null ? ReadAvailable(parent, type).Available : null;
    }

    private int? ReadCapacity(ParentDeviceName parent, MdevTypeName type)
    {
        SysfsPath file = _paths.TypeCapacity(parent, type);
        return File.Exists(file.FullPath) ? SysfsAttributes.ParseInt(file, TextFile.ReadAll(file.FullPath)) : null;
    }

    /// <summary>The devices of a type that exist: entries of the type's <c>devices/</c> whose bus link exists (the
    /// link a create makes last and a remove deletes first).</summary>
    private int CountDevices(ParentDeviceName parent, MdevTypeName type)
    {
        string directory = Layout.TypeDevices(parent, type).FullPath;
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        int count = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (MdevUuid.TryParse(Path.GetFileName(entry), out MdevUuid uuid) && BusLinkExists(uuid))
            {
                count++;
            }
        }
        return count;
    }

    private bool BusLinkExists(MdevUuid uuid) => new FileInfo(Layout.Device(uuid).FullPath).LinkTarget is not null;

    /// <summary>Rewrites the <c>available_instances</c> files (and the pool's free line) from the derived counts; under
    /// the host lock. They are copies for readers of the tree: the counts themselves never depend on them.</summary>
    private void RefreshCounts(ParentDeviceName parent, MdevTypeName type)
    {
        (int available, EmulatedInstancePool? pool) = ReadAvailable(parent, type);
        if (pool is null)
        {
            WriteTreeFile(Layout.TypeAvailableInstances(parent, type), Number(available) + "\n");
            Written("count");
            return;
        }
        AtomicFile.Write(_paths.InstancePool(parent).FullPath, pool.Format(), temporaryDirectory: TemporaryDirectory());
        Written("pool");
        foreach (MdevTypeName member in pool.UnitsPerInstance.Keys)
        {
            WriteTreeFile(Layout.TypeAvailableInstances(parent, member), Number(pool.AvailableInstances(member)) + "\n");
            Written("count " + member.Value);
        }
    }

    /// <summary>Replaces a file of the tree atomically, its temporary file staged outside <c>sys/</c>.</summary>
    private void WriteTreeFile(SysfsPath file, string content) =>
        AtomicFile.Write(PathResolver.Resolve(file).FullPath, content, temporaryDirectory: TemporaryDirectory());

    private string TemporaryDirectory()
    {
        string directory = _paths.TemporaryDirectory.FullPath;
        Directory.CreateDirectory(directory);
        return directory;
    }
}
