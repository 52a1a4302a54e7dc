using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Devices;

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

    // Every path below is resolved through its links: a link planted under var/lib that leads out of the host's
    // root is refused (E1008) before the device state is read, written or removed through it.
    internal string HostLock => PathResolver.Resolve(_paths.LockFile).FullPath;

    internal string Directory(MdevUuid uuid) => PathResolver.Resolve(_paths.DeviceState(uuid)).FullPath;

    internal string DeviceState(MdevUuid uuid) => File(uuid, "device.state");

    internal string MigrationState(MdevUuid uuid) => File(uuid, "migration_state");

    internal string Faults(MdevUuid uuid) => File(uuid, "faults.json");

    internal string DeviceLock(MdevUuid uuid) => File(uuid, "device.lock");

    internal static SysfsPath Implementation(SysfsPath typeDirectory) => typeDirectory / ImplementationFileName;

    /// <summary>Replaces a file atomically (temporary file, fsync, rename, directory fsync), created 0600: it holds device state.</summary>
    internal static void WriteBytes(string path, ReadOnlySpan<byte> content) => PrivateFiles.WriteBytes(path, content);

    private string File(MdevUuid uuid, string name) => PathResolver.Resolve(_paths.DeviceState(uuid) / name).FullPath;

    internal VfioException NotFound(MdevUuid uuid) =>
        ManagerErrors.DeviceNotFound(uuid, $"does not exist on the emulated host {Layout.Root.FullPath}.");

}
