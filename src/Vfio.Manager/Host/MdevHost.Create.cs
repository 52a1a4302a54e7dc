using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;

namespace Vfio.Manager.Host;

// Creating and removing devices, and pinning a configuration (docs/sysfs-convention.md: validate first, create, write
// off values then wanted values into migration/, read back, remove on any failure).
public sealed partial class MdevHost
{
    /// <summary>
    /// Creates a device of a type with a pinned configuration: the configuration is validated against the type's
    /// model before anything is written; then the UUID is written to <c>create</c>, every parameter's off value and
    /// then the wanted values are written to the device's <c>migration/</c> files and read back. On any failure
    /// after <c>create</c>, the device is removed again and the original error is rethrown (mdevctl's start()).
    /// </summary>
    /// <param name="parent">The parent device.</param>
    /// <param name="type">The type.</param>
    /// <param name="uuid">The new device's UUID.</param>
    /// <param name="configuration">The wanted configuration, or null to leave every parameter at its init value.</param>
    /// <returns>The created device.</returns>
    /// <exception cref="VfioException">
    /// <see cref="ErrorCode.ParentNotFound"/>, <see cref="ErrorCode.TypeNotFound"/>, <see cref="ErrorCode.DeviceExists"/>,
    /// <see cref="ErrorCode.NoInstancesAvailable"/>, <see cref="ErrorCode.MigrationInfoMissing"/> (a configuration for a type without
    /// migration information), <see cref="ErrorCode.ModelMismatch"/> (the configuration's model is not the type's),
    /// <see cref="ErrorCode.ParameterUnknown"/>/<see cref="ErrorCode.ValueNotAllowed"/> (not valid for the type's description),
    /// <see cref="ErrorCode.ConfigurationReadbackMismatch"/>, or the write's own error; all but the last two leave nothing behind
    /// because they are raised before <c>create</c>.
    /// </exception>
    public MdevDevice Create(ParentDeviceName parent, MdevTypeName type, MdevUuid uuid, DeviceConfiguration? configuration = null)
    {
        MdevType typeInfo = GetSupportedType(parent, type);
        DeviceConfiguration? wanted = configuration is null ? null : ValidateForType(typeInfo, configuration, uuid);
        if (Sysfs.Exists(Layout.Device(uuid)))
        {
            throw ManagerErrors.DeviceExists(uuid, "; choose another UUID or remove it first.");
        }
        if (typeInfo.AvailableInstances == 0)
        {
            throw ManagerErrors.NoInstancesAvailable(parent, type, uuid, " (available_instances is 0)");
        }

        // The kernel's create_store accepts the UUID and nothing else.
        Sysfs.Write(Layout.TypeCreate(parent, type), uuid.ToString());
        try
        {
            // A new device: a record that an earlier device of this UUID had its state moved away is not about it.
            ForgetMovedState(uuid);
            if (wanted is not null)
            {
                Pin(uuid, wanted);
            }
            return GetDevice(uuid);
        }
        catch (Exception original)
        {
            if (original is VfioException { Code: not ErrorCode.DeviceNotFound } && !Sysfs.Exists(Layout.Device(uuid)))
            {
                // Another process removed the new device while it was being configured: whatever failed here
                // (a read-back of a vanished file, E1001) is a consequence; what the caller must hear is that it is gone.
                throw ManagerErrors.DeviceNotFound(uuid, "was removed by another process while it was being created and configured.", original);
            }
            RemoveAfterFailure(uuid, original);
            throw;
        }
    }

    /// <summary>Sets a created but not yet opened ("pool") device to a wanted configuration instead of re-creating it.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="configuration">The wanted configuration.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, <see cref="ErrorCode.DeviceAlreadyOpened"/> (the driver
    /// refuses changes after the first open), <see cref="ErrorCode.ModelMismatch"/>, <see cref="ErrorCode.ValueNotAllowed"/> or
    /// <see cref="ErrorCode.ConfigurationReadbackMismatch"/>.</exception>
    public void Configure(MdevUuid uuid, DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        MdevDevice device = GetDevice(uuid);
        DeviceConfiguration wanted = ValidateForType(GetSupportedType(device.Parent, device.Type), configuration, uuid);
        if (ReadConfiguration(uuid) == wanted)
        {
            return;
        }
        Pin(uuid, wanted);
    }

    /// <summary>The configuration a device runs, read from its <c>migration/</c> files (or its type's fixed configuration when it has none).</summary>
    /// <param name="uuid">The device.</param>
    /// <returns>The configuration, validated against the type's description.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, <see cref="ErrorCode.MigrationInfoMissing"/>,
    /// <see cref="ErrorCode.ModelUnknown"/> (the device's model is not in its type's document), or the model's value errors.</exception>
    public DeviceConfiguration ReadConfiguration(MdevUuid uuid)
    {
        MdevDevice device = GetDevice(uuid);
        TypeMigrationInfo info = RequireMigrationInfo(GetSupportedType(device.Parent, device.Type), uuid);
        if (device.Migration is null)
        {
            // A driver without migration/ files (mtty): the type is the configuration.
            return DeviceConfiguration.FromInit(info.DefaultModel);
        }
        ModelDescription model = info.Document.Find(device.Migration.Model)
            ?? throw ManagerErrors.ModelNotDescribed(uuid, device.Migration.Model.ToString(), info.Path.FullPath);

        return DeviceConfiguration.FromValues(model, device.Migration.Parameters.Select(p => new KeyValuePair<string, string>(p.Key.Value, p.Value)), device: uuid.ToString());
    }

    /// <summary>Removes a device by writing <c>1</c> to its <c>remove</c> attribute.</summary>
    /// <param name="uuid">The device.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, or the write's own error (e.g. the device is in use).</exception>
    public void Remove(MdevUuid uuid)
    {
        _ = GetDevice(uuid);
        try
        {
            Sysfs.Write(Layout.DeviceRemove(uuid), "1");
            ForgetMovedState(uuid);
        }
        catch (VfioException e) when (e.Code != ErrorCode.DeviceNotFound && !Sysfs.Exists(Layout.Device(uuid)))
        {
            // Another process removed it between the check and the write: it is as gone as if it never existed.
            throw ManagerErrors.DeviceNotFound(uuid, "was removed by another process while this remove ran.", e);
        }
    }

    private void ForgetMovedState(MdevUuid uuid)
    {
        try
        {
            new MigrationJournal(Layout.Root.FullPath).ClearMoved(uuid);
        }
        catch (IOException e)
        {
            throw ManagerErrors.MovedRecordNotRemoved(uuid, e);
        }
    }

    /// <summary>Re-validates a configuration against the type's own description, so a configuration built against
    /// another host's description of the same model cannot smuggle in what this type does not accept.</summary>
    internal static DeviceConfiguration ValidateForType(MdevType type, DeviceConfiguration configuration, MdevUuid uuid)
    {
        TypeMigrationInfo info = RequireMigrationInfo(type, uuid);
        ModelDescription model = info.Document.Find(configuration.ModelId)
            ?? throw ManagerErrors.TypeRunsOtherModels(uuid, type, string.Join(", ", info.Document.Models.Select(m => m.Id)), configuration.ModelId.ToString());
        return DeviceConfiguration.FromValues(model, configuration.Values, device: uuid.ToString());
    }

    private static TypeMigrationInfo RequireMigrationInfo(MdevType type, MdevUuid uuid) =>
        type.Migration ?? throw ManagerErrors.NoMigrationInfoToPin(uuid, type);

    /// <summary>Writes every off value, then the values that differ from off, then reads every parameter back.</summary>
    private void Pin(MdevUuid uuid, DeviceConfiguration wanted)
    {
        ModelDescription model = wanted.Model;
        if (!Sysfs.Exists(Layout.DeviceModel(uuid)))
        {
            // No migration/ files: the driver's configuration is fixed by the type, so it must be what is wanted.
            VerifyFixed(uuid, wanted);
            return;
        }
        string running = Sysfs.ReadLine(Layout.DeviceModel(uuid));
        if (running != model.Id.ToString())
        {
            throw ManagerErrors.ModelReadbackMismatch(uuid, running, model.Id.ToString());
        }
        // Every parameter once, with the value wanted (off included): the result does not depend on the driver's init
        // values, and a definition's attrs (DefinitionAttributes) are these same writes, one per parameter.
        foreach (ParameterSpec spec in model.Parameters)
        {
            Sysfs.Write(Layout.DeviceParameter(uuid, AttributeName.Parse(spec.Name)), wanted[spec.Name]);
        }
        foreach (ParameterSpec spec in model.Parameters)
        {
            SysfsPath file = Layout.DeviceParameter(uuid, AttributeName.Parse(spec.Name));
            string read = Sysfs.ReadLine(file);
            if (!spec.TryNormalize(read, out string? canonical) || canonical != wanted[spec.Name])
            {
                throw ReadbackMismatch(uuid, spec.Name, read, wanted[spec.Name], file.FullPath);
            }
        }
    }

    private static void VerifyFixed(MdevUuid uuid, DeviceConfiguration wanted)
    {
        DeviceConfiguration fixedConfiguration = DeviceConfiguration.FromInit(wanted.Model);
        foreach (ParameterSpec spec in wanted.Model.Parameters)
        {
            if (fixedConfiguration[spec.Name] != wanted[spec.Name])
            {
                throw ReadbackMismatch(uuid, spec.Name, fixedConfiguration[spec.Name], wanted[spec.Name], "the type's fixed configuration (the device has no migration/ files)");
            }
        }
    }

    private static VfioException ReadbackMismatch(MdevUuid uuid, string parameter, string read, string expected, string where) =>
        ManagerErrors.ParameterReadbackMismatch(uuid, parameter, read, expected, where);


    internal void RemoveAfterFailure(MdevUuid uuid, Exception original)
    {
        try
        {
            Sysfs.Write(Layout.DeviceRemove(uuid), "1");
            ForgetMovedState(uuid);
        }
        catch (VfioException removeFailure)
        {
            // The original error is what the caller must see; the failed cleanup travels with it.
            original.Data["RemoveAfterFailure"] = removeFailure.Message;
        }
    }
}
