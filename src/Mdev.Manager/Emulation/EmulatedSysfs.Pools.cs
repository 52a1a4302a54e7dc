using Vfio;

namespace Mdev.Manager;

// Instance accounting: a type's own available_instances, or a pool its parent's types share (mtty's ports).
public sealed partial class EmulatedSysfs
{
    /// <summary>The instance pool a parent's types share, or null when each type counts its own instances.</summary>
    /// <param name="parent">The parent.</param>
    /// <returns>The pool as it stands now.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when the pool file does not parse.</exception>
    public EmulatedInstancePool? ReadInstancePool(ParentDeviceName parent)
    {
        SysfsPath file = _paths.InstancePool(parent);
        return File.Exists(file.FullPath) ? EmulatedInstancePool.Parse(file, File.ReadAllText(file.FullPath)) : null;
    }

    /// <summary>The instances a new device of the type can still take, and the pool it draws from (null: the type counts alone).</summary>
    private (int Available, EmulatedInstancePool? Pool) ReadAvailable(ParentDeviceName parent, MdevTypeName type)
    {
        if (ReadInstancePool(parent) is EmulatedInstancePool pool && pool.UnitsPerInstance.ContainsKey(type))
        {
            return (pool.AvailableInstances(type), pool);
        }
        return (_files.ReadInt(Layout.TypeAvailableInstances(parent, type)), null);
    }

    /// <summary>Takes (<paramref name="instances"/> = -1) or gives back (+1) one instance of a type; under the host lock.</summary>
    private void CountInstance(ParentDeviceName parent, MdevTypeName type, int instances)
    {
        (int available, EmulatedInstancePool? pool) = ReadAvailable(parent, type);
        if (pool is null)
        {
            WriteTreeFile(Layout.TypeAvailableInstances(parent, type), Number(available + instances) + "\n");
            return;
        }
        EmulatedInstancePool changed = pool with { Free = pool.Free + (instances * pool.UnitsPerInstance[type]) };
        AtomicFile.Write(_paths.InstancePool(parent).FullPath, changed.Format(), temporaryDirectory: TemporaryDirectory());
        foreach (MdevTypeName member in changed.UnitsPerInstance.Keys)
        {
            WriteTreeFile(Layout.TypeAvailableInstances(parent, member), Number(changed.AvailableInstances(member)) + "\n");
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
