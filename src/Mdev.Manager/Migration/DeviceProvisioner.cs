using Vfio;
using Vfio.DeviceModels;

namespace Mdev.Manager;

/// <summary>
/// Creates a destination device pinned to a configuration (ARCHITECTURE.md: write the UUID to <c>create</c>, every
/// parameter's off value then the wanted value into <c>migration/</c>, read them back, remove the device if any
/// step fails) and removes it again.
/// </summary>
internal static class DeviceProvisioner
{
    internal static void Create(MdevHost host, ParentDeviceName parent, MdevTypeName type, MdevUuid uuid, DeviceConfiguration configuration)
    {
        ISysfs sysfs = host.Sysfs;
        SysfsLayout layout = sysfs.Layout;
        sysfs.Write(layout.TypeCreate(parent, type), uuid.ToString());
        try
        {
            if (!sysfs.Exists(layout.DeviceModel(uuid)))
            {
                WriteMissingMigrationFiles(sysfs, uuid, configuration);
                return;
            }
            foreach (ParameterSpec parameter in configuration.Model.Parameters)
            {
                var name = AttributeName.Parse(parameter.Name);
                SysfsPath file = layout.DeviceParameter(uuid, name);
                sysfs.Write(file, parameter.OffValue);
                sysfs.Write(file, configuration[parameter.Name]);
                string back = sysfs.ReadLine(file);
                if (back != configuration[parameter.Name])
                {
                    throw new VfioException(ErrorCode.ConfigurationReadbackMismatch,
                        $"mediated device {uuid}: wrote {parameter.Name}={configuration[parameter.Name]} but migration/{parameter.Name} reads back '{back}'")
                    {
                        Device = uuid.ToString(),
                        Parameter = parameter.Name,
                        Value = back,
                        Expected = configuration[parameter.Name],
                    };
                }
            }
        }
        catch (Exception e) when (e is VfioException or IOException)
        {
            // mdevctl's start(): a device that cannot be configured is not left behind.
            Remove(host, uuid);
            throw;
        }
    }

    internal static void Remove(MdevHost host, MdevUuid uuid) => host.Sysfs.Write(host.Sysfs.Layout.DeviceRemove(uuid), "1");

    // The emulated driver of this build does not yet make migration/ files at create (the manager's pinned creation
    // will); until then the emulated host gets them written here, as its driver would.
    private static void WriteMissingMigrationFiles(ISysfs sysfs, MdevUuid uuid, DeviceConfiguration configuration)
    {
        if (sysfs is not EmulatedSysfs || sysfs.Resolve(sysfs.Layout.Device(uuid)) is not SysfsPath device)
        {
            throw new VfioException(ErrorCode.MigrationInfoMissing,
                $"mediated device {uuid} has no migration/ directory, so its configuration {configuration} cannot be pinned")
            {
                Device = uuid.ToString(),
                Value = configuration.ToString(),
            };
        }
        string directory = (device / "migration").FullPath;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, "model"), configuration.ModelId + "\n");
        foreach (ParameterSpec parameter in configuration.Model.Parameters)
        {
            File.WriteAllText(Path.Join(directory, parameter.Name), configuration[parameter.Name] + "\n");
        }
    }
}
