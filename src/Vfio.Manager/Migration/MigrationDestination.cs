using Vfio.Manager.Names;

namespace Vfio.Manager.Migration;

/// <summary>
/// Where the state goes: an existing device (which must already run the source's exact configuration), or a type
/// of a parent on which the orchestrator creates a device pinned to the source's configuration, and removes it
/// again if the migration fails.
/// </summary>
public sealed class MigrationDestination
{
    private MigrationDestination(MigrationEndpoint endpoint, MdevUuid? device, ParentDeviceName? parent, MdevTypeName? type, MdevUuid? newDevice)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        ExistingDevice = device;
        Parent = parent;
        Type = type;
        NewDeviceUuid = newDevice;
    }

    /// <summary>The destination host.</summary>
    public MigrationEndpoint Endpoint { get; }

    /// <summary>The existing destination device, or null when one is to be created.</summary>
    public MdevUuid? ExistingDevice { get; }

    /// <summary>The parent to create the device on, or null for an existing device.</summary>
    public ParentDeviceName? Parent { get; }

    /// <summary>The type to create the device as, or null for an existing device.</summary>
    public MdevTypeName? Type { get; }

    /// <summary>The UUID the new device gets (a fresh one when not given), or null for an existing device.</summary>
    public MdevUuid? NewDeviceUuid { get; }

    /// <summary>An existing device; step 2 checks that it runs exactly the source's configuration.</summary>
    /// <param name="endpoint">The destination host.</param>
    /// <param name="device">The device.</param>
    /// <returns>The destination.</returns>
    public static MigrationDestination Existing(MigrationEndpoint endpoint, MdevUuid device) => new(endpoint, device, null, null, null);

    /// <summary>A new device of <paramref name="type"/> on <paramref name="parent"/>, created with the source's configuration once step 2 passed.</summary>
    /// <param name="endpoint">The destination host.</param>
    /// <param name="parent">The parent device.</param>
    /// <param name="type">The type; its capability document must accept the source's configuration.</param>
    /// <param name="uuid">The new device's UUID; null for a fresh one.</param>
    /// <returns>The destination.</returns>
    public static MigrationDestination NewDevice(MigrationEndpoint endpoint, ParentDeviceName parent, MdevTypeName type, MdevUuid? uuid = null) =>
        new(endpoint, null, parent, type, uuid ?? MdevUuid.NewUuid());
}
