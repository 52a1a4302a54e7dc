using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Sdk;

namespace Vfio.Manager.Devices;

/// <summary>
/// Opens a device of the emulated host the way the kernel would hand out a VFIO device: the device's code (the
/// implementation its type names in <c>emulation_impl</c>) runs in this process, with the configuration its
/// <c>migration/</c> files hold and the device state and migration state the last process left behind.
/// </summary>
/// <remarks>
/// <para>While a device is open its <c>device.lock</c> is held (a VFIO group is opened exclusively too), so two
/// processes never run one device at once. Disposing the returned device persists its state back, atomically and
/// under the host lock, into <c>var/lib/vfio-emu/devices/&lt;uuid&gt;/</c>: the next process sees RUNNING or STOP and
/// the moved device state. The device's own save code writes the persisted state
/// (<see cref="IPersistentMigrationBackend.ExportState"/>), so persisting is the same code path as migrating.</para>
/// <para>A device left in a saving state or RESUMING (a process that died mid-copy) comes back in that state with
/// a fresh session: the old data session is gone, as a closed <c>data_fd</c> is.</para>
/// <para>Faults armed through <see cref="EmulatedDeviceFaults"/> are applied at every open.</para>
/// </remarks>
public sealed class EmulatedDeviceOpener : IDeviceOpener
{
    private readonly EmulatedSysfs _sysfs;
    private readonly MdevHost _host;
    private readonly Func<DeviceImplementationCatalog> _catalog;
    private readonly Func<MdevUuid, string, string, VfioException>? _missing;
    private readonly EmulatedDeviceFiles _files;
    private readonly EmulatedDeviceFaults _faults;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Creates the opener.</summary>
    /// <param name="sysfs">The emulated host.</param>
    /// <param name="catalog">The implementations this process can run; each type's <c>emulation_impl</c> must name one.</param>
    /// <param name="lockTimeout">How long to wait for a device another process has open, and for the host lock.</param>
    public EmulatedDeviceOpener(EmulatedSysfs sysfs, DeviceImplementationCatalog catalog, TimeSpan? lockTimeout = null)
        : this(sysfs, new MdevHost(sysfs), Given(catalog), lockTimeout, null)
    {
    }

    /// <summary>The opener of an <see cref="EmulatedHost"/>: its tree, the host's view of it, and its implementations,
    /// asked for at the first open (plug-ins are loaded then).</summary>
    internal EmulatedDeviceOpener(EmulatedSysfs sysfs, MdevHost host, Func<DeviceImplementationCatalog> catalog, TimeSpan? lockTimeout,
        Func<MdevUuid, string, string, VfioException>? missing)
    {
        ArgumentNullException.ThrowIfNull(sysfs);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(catalog);
        _sysfs = sysfs;
        _host = host;
        _catalog = catalog;
        _missing = missing;
        _files = new EmulatedDeviceFiles(sysfs.Layout);
        _faults = new EmulatedDeviceFaults(sysfs.Layout);
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The device code behind a device this opener opened (for tools that drive a sample device directly, such
    /// as simulated traffic), or null for any other device.</summary>
    /// <param name="device">A device from <see cref="Open(MdevUuid)"/>.</param>
    /// <returns>The backend, or null.</returns>
    public static IMigrationBackend? DeviceCode(IVfioDevice device) => (device as PersistentEmulatedDevice)?.Backend;

    /// <inheritdoc/>
    /// <exception cref="VfioException">Also <see cref="ErrorCode.ModelUnknown"/> when the type names no implementation
    /// this process has, and the configuration errors of its <c>migration/</c> files.</exception>
    public IVfioDevice Open(MdevUuid device) => Open(device, _lockTimeout);

    /// <inheritdoc/>
    /// <remarks>The device code runs <paramref name="configuration"/>, which the caller read from the device's
    /// <c>migration/</c> files; the opener does not read them again.</remarks>
    public IVfioDevice Open(MdevUuid device, DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Open(device, _lockTimeout, configuration);
    }

    /// <summary>Opens a device, waiting at most <paramref name="lockTimeout"/> for another process that has it open.</summary>
    /// <param name="device">The device's UUID.</param>
    /// <param name="lockTimeout">How long to wait for the device lock; a verb that must not touch a device in use passes a short one.</param>
    /// <returns>The device; dispose it to end the operation.</returns>
    /// <exception cref="VfioException">As <see cref="Open(MdevUuid)"/>; <see cref="ErrorCode.LockTimeout"/> when the device stays open elsewhere.</exception>
    public IVfioDevice Open(MdevUuid device, TimeSpan lockTimeout) => Open(device, lockTimeout, null);

    private PersistentEmulatedDevice Open(MdevUuid device, TimeSpan lockTimeout, DeviceConfiguration? given)
    {
        _ = FindImplementation(device);
        HostLock deviceLock = AcquireDeviceLock(device, lockTimeout);
        IMigrationBackend? backend = null;
        try
        {
            _sysfs.MarkOpened(device);
            // Read only now that the device is locked and frozen: read before, it could be another incarnation's
            // (removed and re-created under the same UUID meanwhile), whose state this open would then overwrite.
            DeviceImplementation implementation = FindImplementation(device);
            // The values come from the device's migration/ files; the device code gets them in its own description.
            DeviceConfiguration configuration = DeviceConfiguration.FromValues(implementation.Model,
                (given ?? _host.ReadConfiguration(device)).Values, device: device.ToString());
            backend = implementation.Create(device.ToString(), configuration);
            Restore(device, backend);
            var emulated = new EmulatedVfioDevice(device.ToString(), backend, implementation.Protocol, implementation.Features)
            {
                Faults = _faults.Get(device),
            };
            return new PersistentEmulatedDevice(emulated, backend, deviceLock, () => Persist(device, backend, emulated.CurrentMigrationState));
        }
        catch
        {
            (backend as IDisposable)?.Dispose();
            deviceLock.Dispose();
            throw;
        }
    }

    private static Func<DeviceImplementationCatalog> Given(DeviceImplementationCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return () => catalog;
    }

    /// <summary>The device lock; a remove that moved the state directory away meanwhile means the device is gone.</summary>
    private HostLock AcquireDeviceLock(MdevUuid device, TimeSpan lockTimeout)
    {
        try
        {
            PrivateFiles.CreateDirectory(_files.Directory(device));
            return HostLock.Acquire(_files.DeviceLock(device), lockTimeout);
        }
        catch (DirectoryNotFoundException e)
        {
            throw ManagerErrors.DeviceNotFound(device, "was removed while it was being opened.", e);
        }
    }

    /// <summary>The implementation the device's type names.</summary>
    internal DeviceImplementation FindImplementation(MdevUuid device)
    {
        SysfsPath type = _sysfs.Resolve(_sysfs.Layout.DeviceTypeLink(device)) ?? throw _files.NotFound(device);
        SysfsPath file = EmulatedDeviceFiles.Implementation(type);
        if (!_sysfs.Exists(file))
        {
            throw ManagerErrors.NoImplementationNamed(device, type.Name, file.FullPath);

        }
        string id = _sysfs.ReadLine(file);
        DeviceImplementationCatalog catalog = _catalog();
        if (_missing is not null && !catalog.TryGet(id, out _))
        {
            throw _missing(device, type.Name, id);
        }
        try
        {
            return catalog.Get(id);
        }
        catch (DeviceModelException e)
        {
            throw ManagerErrors.ForDevice(device, id, e);
        }
    }

    private void Restore(MdevUuid device, IMigrationBackend backend)
    {
        string statePath = _files.DeviceState(device);
        string migrationPath = _files.MigrationState(device);
        if (backend is not IPersistentMigrationBackend migratable)
        {
            // Only SDK devices can be kept across processes; anything else starts from power-on each time.
            return;
        }
        if (File.Exists(statePath))
        {
            migratable.ImportState(File.ReadAllBytes(statePath));
        }
        if (File.Exists(migrationPath))
        {
            string text = File.ReadAllText(migrationPath).Trim();
            if (!MigrationStateNames.TryParse(text, out MigrationState state))
            {
                throw ManagerErrors.MigrationStateMalformed(device, migrationPath, text);

            }
            migratable.RestoreMigrationState(state);
        }
    }

    private void Persist(MdevUuid device, IMigrationBackend backend, MigrationState migrationState)
    {
        if (backend is not IPersistentMigrationBackend migratable)
        {
            return;
        }
        using var state = new MemoryStream();
        migratable.ExportState(state);
        using HostLock hostLock = HostLock.Acquire(_files.HostLock, _lockTimeout);
        // A device removed while open (the kernel would have refused) leaves nothing to persist into.
        if (!Directory.Exists(_files.Directory(device)) || !_sysfs.Exists(_sysfs.Layout.Device(device)))
        {
            return;
        }
        EmulatedDeviceFiles.WriteBytes(_files.DeviceState(device), state.GetBuffer().AsSpan(0, (int)state.Length));
        // The device's state as the VFIO surface reports it: ERROR too, which only the emulated device (not the code) knows.
        PrivateFiles.Write(_files.MigrationState(device), migrationState.ToString() + "\n");
    }

    /// <summary>The persisted migration state of a device, without opening it; RUNNING for a device never opened.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The state the next open restores.</returns>
    public MigrationState PeekMigrationState(MdevUuid device)
    {
        string path = _files.MigrationState(device);
        return File.Exists(path) && MigrationStateNames.TryParse(File.ReadAllText(path).Trim(), out MigrationState state)
            ? state
            : MigrationState.Running;
    }
}
