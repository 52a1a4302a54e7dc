using System.Globalization;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

// What the kernel's mdev core (drivers/vfio/mdev/mdev_sysfs.c create_store/remove_store) and a
// migration-aware driver do, done in files under the host lock.
public sealed partial class EmulatedSysfs
{
    private void Create(ParentDeviceName parent, MdevTypeName type, string value)
    {
        // create_store accepts the UUID with or without one trailing newline and nothing else.
        string text = value.EndsWith('\n') ? value[..^1] : value;
        if (!MdevUuid.TryParse(text, out MdevUuid uuid))
        {
            throw ManagerErrors.EmulatedWriteRefused($"create of {parent}/{type}", value, "invalid argument (expected exactly one UUID)", expected: "a canonical UUID");
        }

        using HostLock hostLock = TakeLock();
        SweepPartialDevices(parent);
        if (_files.Exists(Layout.Device(uuid)))
        {
            throw ManagerErrors.DeviceExists(uuid, " on the emulated host.");
        }
        (int instances, _) = ReadAvailable(parent, type);
        if (instances == 0)
        {
            throw ManagerErrors.NoInstancesAvailable(parent, type, uuid, "");
        }
        // Read before anything is made, so a bad document leaves nothing behind.
        TypeMigrationDefaults? migration = ReadTypeMigration(parent, type);

        SysfsPath device = _paths.DeviceDirectory(parent, uuid);
        Directory.CreateDirectory(device.FullPath);
        Written("create device directory");
        try
        {
            File.WriteAllText((device / "remove").FullPath, string.Empty);
            Written("create remove");
            File.CreateSymbolicLink((device / "mdev_type").FullPath, $"../mdev_supported_types/{type}");
            Written("create mdev_type link");
            int group = NextIommuGroup();
            Written("create iommu group number");
            Directory.CreateDirectory((Layout.IommuGroups / Number(group) / "devices").FullPath);
            Written("create iommu group");
            File.CreateSymbolicLink((device / "iommu_group").FullPath, $"../../../../kernel/iommu_groups/{Number(group)}");
            Written("create iommu_group link");
            if (migration is not null)
            {
                SysfsPath directory = device / "migration";
                Directory.CreateDirectory(directory.FullPath);
                Written("create migration directory");
                File.WriteAllText((directory / "model").FullPath, migration.Model + "\n");
                Written("create migration/model");
                foreach (KeyValuePair<string, string> parameter in migration.InitValues)
                {
                    File.WriteAllText((directory / parameter.Key).FullPath, parameter.Value + "\n");
                    Written("create migration/" + parameter.Key);
                }
            }
            Directory.CreateDirectory(Layout.TypeDevices(parent, type).FullPath);
            File.CreateSymbolicLink((Layout.TypeDevices(parent, type) / uuid.ToString()).FullPath, $"../../../{uuid}");
            Written("create type devices link");
            // The bus link last: a reader that does not take the lock sees either no device or a complete one. It is
            // also the commit point of the count: available_instances is derived from the devices whose bus link exists.
            Directory.CreateDirectory(Layout.MdevDevices.FullPath);
            File.CreateSymbolicLink(Layout.Device(uuid).FullPath, $"../../../devices/vfio-emu/{parent}/{uuid}");
            Written("create bus link");
            RefreshCounts(parent, type);
        }
        catch (Exception)
        {
            // A kernel's create either makes the whole device or nothing; so does this one.
            DeletePartialDevice(parent, type, uuid, device);
            throw;
        }
    }

    private void DeletePartialDevice(ParentDeviceName parent, MdevTypeName? type, MdevUuid uuid, SysfsPath device)
    {
        string[] links = type is MdevTypeName t
            ? [Layout.Device(uuid).FullPath, (Layout.TypeDevices(parent, t) / uuid.ToString()).FullPath]
            : [Layout.Device(uuid).FullPath];
        foreach (string link in links)
        {
            if (new FileInfo(link).LinkTarget is not null)
            {
                File.Delete(link);
            }
        }
        if (_files.Resolve(device / "iommu_group") is SysfsPath group)
        {
            Directory.Delete(group.FullPath, recursive: true);
        }
        if (Directory.Exists(device.FullPath))
        {
            Directory.Delete(device.FullPath, recursive: true);
        }
    }

    private void Remove(MdevUuid uuid, string value)
    {
        // remove_store: kstrtoul, and only 1 removes.
        if (value is not ("1" or "1\n"))
        {
            throw ManagerErrors.EmulatedWriteRefused($"remove of {uuid}", value, "invalid argument (expected 1)", uuid, expected: "1");
        }
        using HostLock hostLock = TakeLock();
        SysfsPath device = RequireDevice(uuid);
        SweepPartialDevices(ParentDeviceName.Parse(device.Parent.Name));
        SysfsPath type = _files.Resolve(device / "mdev_type")
            ?? throw ManagerErrors.DeviceNotFound(uuid, "has no mdev_type link on the emulated host.");
        SysfsPath? group = _files.Resolve(device / "iommu_group");
        // The kernel refuses to remove a device a user has open (mdev_device_remove: -EBUSY); here the opener holds
        // the device lock, and holding it ourselves until the device is gone keeps an opener from starting meanwhile.
        using HostLock? deviceLock = TakeDeviceLockForRemoval(uuid);

        // The bus link first: from here on the device does not exist, and the counts derived from the devices say so.
        File.Delete(Layout.Device(uuid).FullPath);
        Written("remove bus link");
        File.Delete((type / "devices" / uuid.ToString()).FullPath);
        Written("remove type devices link");
        Directory.Delete(device.FullPath, recursive: true);
        Written("remove device directory");
        if (group is SysfsPath g)
        {
            Directory.Delete(g.FullPath, recursive: true);
            Written("remove iommu group");
        }
        DeleteDeviceState(uuid);
        Written("remove device state");
        RefreshCounts(ParentDeviceName.Parse(type.Parent.Parent.Name), MdevTypeName.Parse(type.Name));
    }

    /// <summary>
    /// Finishes what a process killed inside a create or remove left on a parent: a device directory without its bus
    /// link is half made or half removed (the link is made last and removed first), so it, its links, its IOMMU group
    /// and its state are deleted, as a reboot leaves no half-made device behind. Under the host lock.
    /// </summary>
    private void SweepPartialDevices(ParentDeviceName parent)
    {
        string parentDirectory = _paths.ParentDirectory(parent).FullPath;
        if (!Directory.Exists(parentDirectory))
        {
            return;
        }
        foreach (string entry in Directory.EnumerateDirectories(parentDirectory))
        {
            if (!MdevUuid.TryParse(Path.GetFileName(entry), out MdevUuid uuid) || BusLinkExists(uuid))
            {
                continue;
            }
            SysfsPath device = _paths.DeviceDirectory(parent, uuid);
            if (_files.Resolve(device / "mdev_type") is SysfsPath type && MdevTypeName.TryParse(type.Name, out MdevTypeName typeName))
            {
                DeletePartialDevice(parent, typeName, uuid, device);
                DeleteDeviceState(uuid);
                RefreshCounts(parent, typeName);
            }
            else
            {
                DeletePartialDevice(parent, null, uuid, device);
                DeleteDeviceState(uuid);
            }
        }
    }

    /// <summary>The device lock, taken without waiting, or null when the device was never opened; refuses when another holds it.</summary>
    private HostLock? TakeDeviceLockForRemoval(MdevUuid uuid)
    {
        if (!Directory.Exists(PathResolver.Resolve(_paths.DeviceState(uuid)).FullPath))
        {
            return null;
        }
        return HostLock.TryAcquire(_paths.DeviceLock(uuid).FullPath)
            ?? throw ManagerErrors.DeviceStateConflict(uuid,
                "is open in another process (its device lock is held); the kernel refuses to remove a device in use. Close it first.");
    }

    /// <summary>Deletes a device's state directory; renamed away first, so an opener that races to create a file
    /// in it cannot make the recursive delete fail half-way.</summary>
    private void DeleteDeviceState(MdevUuid uuid)
    {
        string stateDirectory = PathResolver.Resolve(_paths.DeviceState(uuid)).FullPath;
        if (!Directory.Exists(stateDirectory))
        {
            return;
        }
        string doomed = Path.Join(TemporaryDirectory(), $"removed.{uuid}.{Guid.NewGuid():N}");
        Directory.Move(stateDirectory, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    private void WriteParameter(MdevUuid uuid, AttributeName parameter, SysfsPath file, string value)
    {
        string text = value.EndsWith('\n') ? value[..^1] : value;
        if (text.Length == 0 || text.Contains('\n', StringComparison.Ordinal))
        {
            throw ManagerErrors.EmulatedWriteRefused($"migration/{parameter} of {uuid}", value, "invalid argument (expected one value)", uuid, parameter);
        }
        using HostLock hostLock = TakeLock();
        if (IsOpened(uuid))
        {
            throw ManagerErrors.ParameterFrozen(uuid, parameter, text);

        }
        Faults.OnParameterWrite(uuid, parameter, text);
        ValidateParameter(uuid, parameter, text);
        WriteTreeFile(file, text + "\n");
    }

    private int NextIommuGroup()
    {
        SysfsPath counter = _paths.LastIommuGroup;
        int last = File.Exists(counter.FullPath) ? _files.ReadInt(counter) : 0;
        AtomicFile.Write(counter.FullPath, Number(last + 1) + "\n");
        return last + 1;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What a new device of a type starts with: its model id and every parameter at its init value.</summary>
    private sealed record TypeMigrationDefaults(string Model, IReadOnlyList<KeyValuePair<string, string>> InitValues);
}
