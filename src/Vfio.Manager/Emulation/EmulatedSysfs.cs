using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

/// <summary>
/// The emulated host: a directory laid out like sysfs in which writes to <c>create</c>, <c>remove</c> and a
/// device's <c>migration/</c> files do what the kernel and a migration-aware driver would do, under an
/// exclusive file lock, so several processes share one consistent host.
/// </summary>
/// <remarks>
/// <para>Reads go straight to the files (<c>cat</c> works on the tree). Writes to <c>create</c> make the device
/// directory under its parent, the <c>sys/bus/mdev/devices</c>, <c>mdev_type</c>, <c>iommu_group</c> and
/// type <c>devices/</c> links, decrement <c>available_instances</c>, and, when the type has a
/// <c>migration_info.json</c>, create <c>migration/model</c> and one file per parameter at its init value.
/// <c>remove</c> undoes all of it. Parameter writes are refused once the device has been opened.</para>
/// <para><c>available_instances</c> is counted per type, unless the host was laid out with a pool the parent's
/// types share (<see cref="EmulatedHostBuilder.ShareInstancePool"/>, as mtty's 24 ports serve both <c>mtty-1</c> and
/// <c>mtty-2</c>); then every member's count is derived from the pool's free units.</para>
/// <para>Crash consistency: a device exists exactly when its <c>sys/bus/mdev/devices</c> link does (made last by a
/// create, removed first by a remove), and every count is derived from the devices that exist: a type's capacity
/// minus its devices, a pool's units minus what its devices hold. A process killed at any point of a create or remove
/// therefore leaves counts that match the devices; the half-made or half-removed directories it leaves are swept by
/// the next create or remove on the parent, and the <c>available_instances</c> files (copies for readers of the tree)
/// are rewritten then.</para>
/// </remarks>
public sealed partial class EmulatedSysfs : ISysfs
{
    private readonly RealSysfs _files;
    private readonly EmulatedPaths _paths;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Opens an emulated host laid out by <see cref="EmulatedHostBuilder"/>.</summary>
    /// <param name="layout">The paths; its root is the emulated host directory.</param>
    /// <param name="lockTimeout">How long a change waits for another process's change to finish.</param>
    public EmulatedSysfs(SysfsLayout layout, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lockTimeout, TimeSpan.Zero);
        _files = new RealSysfs(layout);
        _paths = new EmulatedPaths(layout);
        _lockTimeout = lockTimeout;
    }

    /// <inheritdoc/>
    public SysfsLayout Layout => _files.Layout;

    /// <summary>Fault injection for tests that prove rollback paths.</summary>
    public EmulatedHostFaults Faults { get; } = new();

    /// <inheritdoc/>
    /// <remarks>A type's <c>available_instances</c> is computed from the devices that exist (see
    /// <see cref="EmulatedSysfs"/>'s crash consistency), not read from the file, which is only a copy for <c>cat</c>.</remarks>
    public string ReadText(SysfsPath path)
    {
        if (path.Name == "available_instances" && DerivedAvailable(path) is int available)
        {
            return Number(available) + "\n";
        }
        return _files.ReadText(path);
    }

    /// <inheritdoc/>
    public bool Exists(SysfsPath path) => _files.Exists(path);

    /// <inheritdoc/>
    public IReadOnlyList<string> List(SysfsPath directory) => _files.List(directory);

    /// <inheritdoc/>
    public SysfsPath? Resolve(SysfsPath path) => _files.Resolve(path);

    /// <inheritdoc/>
    /// <exception cref="VfioException"><see cref="ErrorCode.NoInstancesAvailable"/>, <see cref="ErrorCode.DeviceExists"/>,
    /// <see cref="ErrorCode.DeviceAlreadyOpened"/>, <see cref="ErrorCode.LockTimeout"/> for the emulated kernel's refusals;
    /// <see cref="ErrorCode.KernelCallFailed"/> for a write to a read-only or unknown attribute.</exception>
    public void Write(SysfsPath path, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        SysfsPath resolved = _files.Resolve(path)
            ?? throw ManagerErrors.SysfsWriteFailed(path, value, "no such file.");
        string[] segments = resolved.Relative.Split('/');
        string[] devicesRoot = _paths.DevicesRoot.Relative.Split('/');
        // Everything the emulated kernel acts on lives under sys/devices/vfio-emu/<parent>/.
        if (segments.Length > devicesRoot.Length + 1 && segments.AsSpan(0, devicesRoot.Length).SequenceEqual(devicesRoot))
        {
            var parent = ParentDeviceName.Parse(segments[devicesRoot.Length]);
            ReadOnlySpan<string> rest = segments.AsSpan(devicesRoot.Length + 1);
            if (rest.Length == 3 && rest[0] == "mdev_supported_types" && rest[2] == "create")
            {
                Create(parent, MdevTypeName.Parse(rest[1]), value);
                return;
            }
            if (rest.Length == 2 && rest[1] == "remove" && MdevUuid.TryParse(rest[0], out MdevUuid removed))
            {
                Remove(removed, value);
                return;
            }
            if (rest.Length == 3 && rest[1] == "migration" && rest[2] != "model" && MdevUuid.TryParse(rest[0], out MdevUuid device))
            {
                WriteParameter(device, AttributeName.Parse(rest[2]), resolved, value);
                return;
            }
        }
        throw ManagerErrors.SysfsWriteFailed(path, value, "permission denied (a read-only attribute).");
    }

    /// <summary>Marks a device as opened, as a VFIO open of the emulated device does; its configuration is frozen from then on.</summary>
    /// <param name="uuid">The device.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/> when the device does not exist.</exception>
    public void MarkOpened(MdevUuid uuid)
    {
        using HostLock hostLock = TakeLock();
        if (_files.Resolve(Layout.Device(uuid)) is null)
        {
            // Removed between the opener's checks and now: the state directory the opener made is stray.
            DeleteDeviceState(uuid);
        }
        RequireDevice(uuid);
        PrivateFiles.CreateDirectory(PathResolver.Resolve(_paths.DeviceState(uuid)).FullPath);
        PrivateFiles.Touch(PathResolver.Resolve(_paths.OpenedMarker(uuid)).FullPath);
    }

    /// <summary>Whether a device has been opened since it was created.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>True when the "opened" marker exists.</returns>
    public bool IsOpened(MdevUuid uuid) => File.Exists(_paths.OpenedMarker(uuid).FullPath);

    private HostLock TakeLock()
    {
        PrivateFiles.CreateDirectory(PathResolver.Resolve(_paths.StateRoot).FullPath);
        return HostLock.Acquire(PathResolver.Resolve(_paths.LockFile).FullPath, _lockTimeout);
    }

    private SysfsPath RequireDevice(MdevUuid uuid) =>
        _files.Resolve(Layout.Device(uuid))
        ?? throw ManagerErrors.DeviceNotFound(uuid, "does not exist on the emulated host.");

}
