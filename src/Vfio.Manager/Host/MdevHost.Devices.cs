using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;

namespace Vfio.Manager.Host;

// Mediated devices (sys/bus/mdev/devices/<uuid>).
public sealed partial class MdevHost
{
    /// <summary>Every mediated device that exists now.</summary>
    /// <returns>The devices, sorted by UUID.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when a migration file does not parse.</exception>
    public IReadOnlyList<MdevDevice> GetDevices()
    {
        var devices = new List<MdevDevice>();
        foreach (string entry in Sysfs.List(Layout.MdevDevices))
        {
            // A device removed between the listing and the read is simply gone.
            if (MdevUuid.TryParse(entry, out MdevUuid uuid) && FindDevice(uuid) is MdevDevice device)
            {
                devices.Add(device);
            }
        }
        return devices;
    }

    /// <summary>One mediated device.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The device.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/> when it does not exist.</exception>
    public MdevDevice GetDevice(MdevUuid uuid) =>
        FindDevice(uuid) ?? throw ManagerErrors.DeviceNotFound(uuid, $"does not exist under {Layout.MdevDevices.FullPath}.");


    /// <summary>One mediated device, or null when it does not exist.</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The device or null.</returns>
    public MdevDevice? FindDevice(MdevUuid uuid)
    {
        try
        {
            // Checked again after the read: a remove deletes the bus link first, so a device whose files vanished
            // while they were read (a partial view, such as no migration/ directory) is seen as gone, not half there.
            MdevDevice? device = ReadDevice(uuid);
            return device is not null && Sysfs.Exists(Layout.Device(uuid)) ? device : null;
        }
        catch (VfioException) when (!Sysfs.Exists(Layout.Device(uuid)))
        {
            // Removed while its files were being read (another process's remove): it no longer exists.
            return null;
        }
    }

    private MdevDevice? ReadDevice(MdevUuid uuid)
    {
        if (!Sysfs.Exists(Layout.Device(uuid)) || Sysfs.Resolve(Layout.DeviceTypeLink(uuid)) is not SysfsPath typeDirectory)
        {
            return null;
        }
        // mdev_type -> <parent dir>/mdev_supported_types/<type>; the parent's name is its directory's name.
        var type = MdevTypeName.Parse(typeDirectory.Name);
        var parent = ParentDeviceName.Parse(typeDirectory.Parent.Parent.Name);
        int? group = Sysfs.Resolve(Layout.DeviceIommuGroupLink(uuid)) is SysfsPath groupDirectory
            ? SysfsAttributes.ParseInt(Layout.DeviceIommuGroupLink(uuid), groupDirectory.Name)
            : null;
        return new MdevDevice(uuid, parent, type, group, ReadMigrationAttributes(uuid));
    }

    private DeviceMigrationAttributes? ReadMigrationAttributes(MdevUuid uuid)
    {
        SysfsPath model = Layout.DeviceModel(uuid);
        if (!Sysfs.Exists(model))
        {
            return null;
        }
        var parameters = new List<KeyValuePair<AttributeName, string>>();
        foreach (string entry in Sysfs.List(Layout.DeviceMigration(uuid)))
        {
            if (entry != "model" && AttributeName.TryParse(entry, out AttributeName parameter))
            {
                parameters.Add(new(parameter, Sysfs.ReadLine(Layout.DeviceParameter(uuid, parameter))));
            }
        }
        string id = Sysfs.ReadLine(model);
        if (!DeviceModelId.TryParse(id, out DeviceModelId modelId))
        {
            throw SysfsAttributes.Malformed(model, 1, id, "expected a model id such as vendor-a.com/my-nic");
        }
        return new DeviceMigrationAttributes(modelId, parameters);
    }
}
