using Vfio.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;

namespace Vfio.Manager.Definitions;

/// <summary>
/// mdevctl's verbs over a host and a definition store: start a defined device (create it, apply its attribute
/// writes, remove it again if one fails), stop it, list defined and active devices, start every automatic one.
/// </summary>
public sealed class MdevDefinitions
{
    /// <summary>Creates the verbs.</summary>
    /// <param name="host">The host devices are created on.</param>
    /// <param name="store">The definitions.</param>
    public MdevDefinitions(MdevHost host, DefinitionStore store)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(store);
        Host = host;
        Store = store;
    }

    /// <summary>The host.</summary>
    public MdevHost Host { get; }

    /// <summary>The definitions.</summary>
    public DefinitionStore Store { get; }

    /// <summary>A definition that pins a configuration on a type, as ordered <c>migration/</c> writes.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <param name="configuration">The configuration, validated against the type's model.</param>
    /// <param name="autoStart">Whether the device starts automatically.</param>
    /// <returns>The definition (not yet stored).</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.TypeNotFound"/>, <see cref="ErrorCode.MigrationInfoMissing"/>,
    /// <see cref="ErrorCode.ModelMismatch"/> or a value error, before anything is written.</exception>
    public MdevDefinition Pinned(MdevUuid uuid, ParentDeviceName parent, MdevTypeName type, DeviceConfiguration configuration, bool autoStart = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        DeviceConfiguration validated = MdevHost.ValidateForType(Host.GetSupportedType(parent, type), configuration, uuid);
        return new MdevDefinition(uuid, parent, type, autoStart, DefinitionAttributes.FromConfiguration(validated));
    }

    /// <summary>Creates the device a definition describes. Migration parameter writes go through pinned creation
    /// (validated first, read back); other attribute writes follow in order; any failure removes the device again.</summary>
    /// <param name="uuid">The defined device.</param>
    /// <param name="parent">The parent, or null for whichever holds the definition.</param>
    /// <returns>The created device.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DefinitionNotFound"/>, the creation errors of
    /// <see cref="MdevHost.Create"/>, or the failing attribute write's error.</exception>
    public MdevDevice Start(MdevUuid uuid, ParentDeviceName? parent = null)
    {
        MdevDefinition definition = Store.Require(uuid, parent);
        MdevType type = Host.GetSupportedType(definition.Parent, definition.Type);
        DeviceConfiguration? configuration = type.Migration is TypeMigrationInfo info
            ? DefinitionAttributes.ToConfiguration(info.DefaultModel, definition.Attributes)
            : null;
        Host.Create(definition.Parent, definition.Type, uuid, configuration);
        try
        {
            foreach (KeyValuePair<string, string> attribute in definition.Attributes)
            {
                if (configuration is null || !attribute.Key.StartsWith(DefinitionAttributes.MigrationPrefix, StringComparison.Ordinal))
                {
                    SysfsPath path = Host.Sysfs.Layout.Device(uuid);
                    foreach (string segment in attribute.Key.Split('/'))
                    {
                        path /= segment;
                    }
                    Host.Sysfs.Write(path, attribute.Value);
                }
            }
            return Host.GetDevice(uuid);
        }
        catch (Exception original)
        {
            Host.RemoveAfterFailure(uuid, original);
            throw;
        }
    }

    /// <summary>Removes an active device; its definition stays.</summary>
    /// <param name="uuid">The device.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>.</exception>
    public void Stop(MdevUuid uuid) => Host.Remove(uuid);

    /// <summary>Every device that is defined, active or both, as <c>mdevctl list</c> shows them.</summary>
    /// <returns>One entry per UUID, sorted by parent and UUID.</returns>
    public IReadOnlyList<MdevListEntry> List() => List(skipped: null);

    /// <summary>Every device that is defined, active or both; a definition file that cannot be read is reported in
    /// <paramref name="skipped"/> and left out, as mdevctl skips it with a warning, instead of failing the listing.</summary>
    /// <param name="skipped">Receives the error of each definition file skipped; null to throw the first one instead.</param>
    /// <returns>One entry per UUID, sorted by parent and UUID.</returns>
    public IReadOnlyList<MdevListEntry> List(ICollection<VfioException>? skipped)
    {
        var entries = new Dictionary<MdevUuid, MdevListEntry>();
        foreach (MdevDefinition definition in Store.List(skipped))
        {
            entries[definition.Uuid] = new MdevListEntry(definition.Uuid, definition.Parent, definition.Type, definition, null);
        }
        foreach (MdevDevice device in Host.GetDevices())
        {
            entries[device.Uuid] = entries.TryGetValue(device.Uuid, out MdevListEntry? defined)
                ? defined with { Active = device }
                : new MdevListEntry(device.Uuid, device.Parent, device.Type, null, device);
        }
        // A sort, not OrderBy(...).ThenBy(...): ThenBy is a generic virtual call, which a native vfioctl resolves at run time
        // at every 'list' (docs/benchmarks.md, "CLI start-up"). The keys are unique (one entry per UUID), so the order is
        // the same as the stable sort's.
        var sorted = new List<MdevListEntry>(entries.Values);
        sorted.Sort(static (a, b) =>
        {
            int byParent = string.CompareOrdinal(a.Parent.Value, b.Parent.Value);
            return byParent != 0 ? byParent : string.CompareOrdinal(a.Uuid.ToString(), b.Uuid.ToString());
        });
        return sorted;
    }

    /// <summary>Starts every definition with <c>"start": "auto"</c> that is not active, as mdevctl does when a parent appears.</summary>
    /// <returns>The devices started, and the failure of each one that could not be (the others still start).</returns>
    public IReadOnlyList<(MdevUuid Uuid, VfioException? Failure)> StartAutomatic()
    {
        var results = new List<(MdevUuid, VfioException?)>();
        var skipped = new List<VfioException>();
        IReadOnlyList<MdevDefinition> definitions = Store.List(skipped);
        // A definition that cannot be read is that device's failure only; every other one still starts.
        foreach (VfioException bad in skipped)
        {
            if (MdevUuid.TryParse(bad.Device, out MdevUuid uuid))
            {
                results.Add((uuid, bad));
            }
        }
        foreach (MdevDefinition definition in definitions.Where(d => d.AutoStart))
        {
            if (Host.FindDevice(definition.Uuid) is not null)
            {
                continue;
            }
            try
            {
                Start(definition.Uuid, definition.Parent);
                results.Add((definition.Uuid, null));
            }
            catch (VfioException e)
            {
                results.Add((definition.Uuid, e));
            }
        }
        return results;
    }
}
