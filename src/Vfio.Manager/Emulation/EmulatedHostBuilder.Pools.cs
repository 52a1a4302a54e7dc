using System.Globalization;
using Vfio.Manager.Names;

namespace Vfio.Manager.Emulation;

// Types that share one pool of hardware units, as mtty's types share its ports.
public sealed partial class EmulatedHostBuilder
{
    /// <summary>
    /// Makes types of a parent draw their instances from one pool of <paramref name="units"/>, as the kernel's mtty
    /// sample shares 24 ports between <c>mtty-1</c> (1 port per device) and <c>mtty-2</c> (2 ports): each member
    /// type's <c>available_instances</c> becomes the free units divided by its units per instance, and creating or
    /// removing a device of one member changes every member's count.
    /// </summary>
    /// <param name="parent">The parent; its types must already be added.</param>
    /// <param name="units">The pool's size.</param>
    /// <param name="types">Each member type with the units one of its devices takes (at least 1).</param>
    /// <returns>This builder.</returns>
    public EmulatedHostBuilder ShareInstancePool(ParentDeviceName parent, int units, params (MdevTypeName Type, int UnitsPerInstance)[] types)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        ArgumentNullException.ThrowIfNull(types);
        if (types.Length == 0)
        {
            throw new ArgumentException("a pool needs at least one member type.", nameof(types));
        }
        var members = new Dictionary<MdevTypeName, int>();
        foreach ((MdevTypeName type, int unitsPerInstance) in types)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(unitsPerInstance, 1, nameof(types));
            if (!Directory.Exists(Layout.Type(parent, type).FullPath))
            {
                throw new ArgumentException($"type {type} of parent {parent} is not laid out; add it before sharing a pool.", nameof(types));
            }
            members[type] = unitsPerInstance;
        }
        var pool = new EmulatedInstancePool(units, units, members);
        Directory.CreateDirectory(_paths.InstancePool(parent).Parent.FullPath);
        File.WriteAllText(_paths.InstancePool(parent).FullPath, pool.Format());
        foreach (MdevTypeName type in members.Keys)
        {
            Write(Layout.TypeAvailableInstances(parent, type), pool.AvailableInstances(type).ToString(CultureInfo.InvariantCulture) + "\n");
        }
        return this;
    }
}
