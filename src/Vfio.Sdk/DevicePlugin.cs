using System.Diagnostics.CodeAnalysis;

namespace Vfio.Sdk;

/// <summary>
/// The entry point of a device plug-in: an assembly a host loads at run time (an emulated host names it in its
/// configuration, <c>etc/vfio-emu/host.json</c>) to run the vendor's device code. The assembly names its entry type
/// with <see cref="DevicePluginAttribute"/>; the host creates it with its public parameterless constructor and
/// adds every implementation it yields to the host's catalog.
/// </summary>
/// <remarks>Implementation ids must be unique across every plug-in of a host (a duplicate is refused, E6053).
/// The plug-in shares this SDK's assemblies with the host, so it must not carry its own copy of a different version.</remarks>
public interface IDevicePlugin
{
    /// <summary>The device implementations the plug-in provides (each id once).</summary>
    IEnumerable<DeviceImplementation> Implementations { get; }
}

/// <summary>Names an assembly's <see cref="IDevicePlugin"/> entry type: <c>[assembly: DevicePlugin(typeof(MyPlugin))]</c>.</summary>
/// <param name="entryType">A public class implementing <see cref="IDevicePlugin"/> with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class DevicePluginAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type entryType) : Attribute
{
    /// <summary>The entry type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type EntryType { get; } = entryType ?? throw new ArgumentNullException(nameof(entryType));
}
