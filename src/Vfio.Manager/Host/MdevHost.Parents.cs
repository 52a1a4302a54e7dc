using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Host;

// Parents and their types (sys/class/mdev_bus/*/mdev_supported_types/*).
public sealed partial class MdevHost
{
    /// <summary>Every parent device with its types.</summary>
    /// <returns>The parents, sorted by name.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when a type attribute does not parse.</exception>
    public IReadOnlyList<MdevParent> GetParents()
    {
        var parents = new List<MdevParent>();
        foreach (string entry in Sysfs.List(Layout.MdevBus))
        {
            if (ParentDeviceName.TryParse(entry, out ParentDeviceName name))
            {
                parents.Add(ReadParent(name));
            }
        }
        return parents;
    }

    /// <summary>One parent device with its types.</summary>
    /// <param name="parent">The parent.</param>
    /// <returns>The parent.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.ParentNotFound"/> when there is no such parent.</exception>
    public MdevParent GetParent(ParentDeviceName parent)
    {
        RequireParent(parent);
        return ReadParent(parent);
    }

    /// <summary>One type of a parent.</summary>
    /// <param name="parent">The parent.</param>
    /// <param name="type">The type.</param>
    /// <returns>The type with its attributes and migration information.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.ParentNotFound"/> or <see cref="ErrorCode.TypeNotFound"/>.</exception>
    public MdevType GetSupportedType(ParentDeviceName parent, MdevTypeName type)
    {
        RequireParent(parent);
        if (!Sysfs.Exists(Layout.Type(parent, type)))
        {
            string known = string.Join(", ", Sysfs.List(Layout.SupportedTypes(parent)));
            throw ManagerErrors.TypeNotFound(parent, type, known);
        }
        return ReadType(parent, ReadDriver(parent), type);
    }

    private MdevParent ReadParent(ParentDeviceName parent)
    {
        string? driver = ReadDriver(parent);
        var types = new List<MdevType>();
        foreach (string entry in Sysfs.List(Layout.SupportedTypes(parent)))
        {
            if (MdevTypeName.TryParse(entry, out MdevTypeName type))
            {
                types.Add(ReadType(parent, driver, type));
            }
        }
        return new MdevParent(parent, driver, types);
    }

    private MdevType ReadType(ParentDeviceName parent, string? driver, MdevTypeName type)
    {
        SysfsPath name = Layout.TypeName(parent, type);
        SysfsPath description = Layout.TypeDescription(parent, type);
        return new MdevType(
            parent,
            type,
            Sysfs.Exists(name) ? Sysfs.ReadLine(name) : null,
            Sysfs.Exists(description) ? Sysfs.ReadLine(description) : null,
            Sysfs.ReadLine(Layout.TypeDeviceApi(parent, type)),
            Sysfs.ReadInt(Layout.TypeAvailableInstances(parent, type)),
            FindMigrationInfo(parent, driver, type));
    }

    /// <summary>The name of the driver bound to the parent, from its <c>driver</c> link.</summary>
    private string? ReadDriver(ParentDeviceName parent) =>
        Sysfs.Resolve(Layout.ParentDriverLink(parent)) is SysfsPath driver ? driver.Name : null;

    private void RequireParent(ParentDeviceName parent)
    {
        if (!Sysfs.Exists(Layout.Parent(parent)))
        {
            throw ManagerErrors.ParentNotFound(parent, Layout.MdevBus);

        }
    }
}
