using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

/// <summary>
/// The paths only the emulated host has: where its parent and device directories really live (the
/// <c>mdev_bus</c> and <c>devices</c> entries link there, as in the kernel's tree) and the state it keeps
/// outside <c>sys/</c> (lock, "opened" markers, the IOMMU group counter).
/// </summary>
internal sealed class EmulatedPaths(SysfsLayout layout)
{
    /// <summary>The sysfs paths the emulated host shares with a real one.</summary>
    internal SysfsLayout Layout { get; } = layout;

    /// <summary><c>sys/devices/vfio-emu</c>: the parents' real directories, like <c>/sys/devices/virtual/mtty</c>.</summary>
    internal SysfsPath DevicesRoot => Layout.Root / "sys" / "devices" / "vfio-emu";

    /// <summary>A parent's real directory; <c>sys/class/mdev_bus/&lt;parent&gt;</c> links here.</summary>
    internal SysfsPath ParentDirectory(ParentDeviceName parent) => DevicesRoot / parent.Value;

    /// <summary>A device's real directory inside its parent's; <c>sys/bus/mdev/devices/&lt;uuid&gt;</c> links here.</summary>
    internal SysfsPath DeviceDirectory(ParentDeviceName parent, MdevUuid uuid) => ParentDirectory(parent) / uuid.ToString();

    /// <summary><c>var/lib/vfio-emu</c>: the emulation's own data, beside the tree.</summary>
    internal SysfsPath StateRoot => Layout.Root / "var" / "lib" / "vfio-emu";

    /// <summary>The lock file every change to the emulated host is made under.</summary>
    internal SysfsPath LockFile => StateRoot / "host.lock";

    /// <summary>The last IOMMU group number handed out.</summary>
    internal SysfsPath LastIommuGroup => StateRoot / "last_iommu_group";

    /// <summary>A device's state directory.</summary>
    internal SysfsPath DeviceState(MdevUuid uuid) => StateRoot / "devices" / uuid.ToString();

    /// <summary>The lock a process holds while it has the device open (see EmulatedDeviceOpener).</summary>
    internal SysfsPath DeviceLock(MdevUuid uuid) => DeviceState(uuid) / "device.lock";

    /// <summary>The number of instances a type offers when none exists (what the driver knows its hardware holds);
    /// <c>available_instances</c> is derived from it and the devices that exist.</summary>
    internal SysfsPath TypeCapacity(ParentDeviceName parent, MdevTypeName type) => StateRoot / "capacity" / parent.Value / type.Value;

    /// <summary>The instance pool a parent's types share, when the host was laid out with one.</summary>
    internal SysfsPath InstancePool(ParentDeviceName parent) => StateRoot / "pools" / parent.Value;

    /// <summary>Where atomic replacements of the tree's files stage their temporary files: outside <c>sys/</c>, so a
    /// concurrent listing of an attribute directory never sees one (same file system, so the rename stays atomic).</summary>
    internal SysfsPath TemporaryDirectory => StateRoot / "tmp";

    /// <summary>The marker that says a device was opened, after which its configuration is frozen.</summary>
    internal SysfsPath OpenedMarker(MdevUuid uuid) => DeviceState(uuid) / "opened";
}
