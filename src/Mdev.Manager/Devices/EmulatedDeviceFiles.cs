using Vfio;

namespace Mdev.Manager;

/// <summary>
/// Where the emulated host keeps what a kernel would keep in memory for a device: its implementation (per type),
/// its device state, its migration state, its injected faults and the lock held while a process has it open.
/// </summary>
internal sealed class EmulatedDeviceFiles(SysfsLayout layout)
{
    /// <summary>The type attribute naming the implementation that runs the type's devices (written by the host builder).</summary>
    internal const string ImplementationFileName = "emulation_impl";

    private readonly EmulatedPaths _paths = new(layout);

    internal SysfsLayout Layout => _paths.Layout;

    internal string HostLock => _paths.LockFile.FullPath;

    internal string Directory(MdevUuid uuid) => _paths.DeviceState(uuid).FullPath;

    internal string DeviceState(MdevUuid uuid) => Path.Join(Directory(uuid), "device.state");

    internal string MigrationState(MdevUuid uuid) => Path.Join(Directory(uuid), "migration_state");

    internal string Faults(MdevUuid uuid) => Path.Join(Directory(uuid), "faults.json");

    internal string DeviceLock(MdevUuid uuid) => Path.Join(Directory(uuid), "device.lock");

    internal static SysfsPath Implementation(SysfsPath typeDirectory) => typeDirectory / ImplementationFileName;

    /// <summary>Replaces a file atomically (temporary file, fsync, rename, directory fsync), as <see cref="AtomicFile"/> does for text.</summary>
    internal static void WriteBytes(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(path)!;
        string temporary = Path.Join(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        AtomicFile.SyncDirectory(directory);
    }

    internal VfioException NotFound(MdevUuid uuid) =>
        new(ErrorCode.DeviceNotFound, $"mediated device {uuid} does not exist on the emulated host {Layout.Root.FullPath}.") { Device = uuid.ToString() };
}
