using System.Diagnostics.CodeAnalysis;
using Vfio.DeviceModels;
using Vfio.Errors;

namespace Vfio.Sdk;

/// <summary>The device implementations a process can run, by implementation id.</summary>
public sealed class DeviceImplementationCatalog
{
    private readonly Dictionary<string, DeviceImplementation> _byId = new(StringComparer.Ordinal);

    /// <summary>Adds an implementation.</summary>
    /// <param name="implementation">The implementation; its id must be new to the catalog.</param>
    /// <returns>This catalog.</returns>
    public DeviceImplementationCatalog Add(DeviceImplementation implementation)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        if (!_byId.TryAdd(implementation.Id, implementation))
        {
            throw new ArgumentException($"implementation '{implementation.Id}' is already in the catalog", nameof(implementation));
        }
        return this;
    }

    /// <summary>Every implementation, in the order added.</summary>
    public IEnumerable<DeviceImplementation> All => _byId.Values;

    /// <summary>Finds an implementation by id.</summary>
    /// <param name="id">The implementation id.</param>
    /// <param name="implementation">The implementation, when found.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGet(string id, [NotNullWhen(true)] out DeviceImplementation? implementation) => _byId.TryGetValue(id, out implementation);

    /// <summary>Gets an implementation by id.</summary>
    /// <param name="id">The implementation id.</param>
    /// <returns>The implementation.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelUnknown"/> when this process has no such implementation.</exception>
    public DeviceImplementation Get(string id) =>
        TryGet(id, out DeviceImplementation? implementation) ? implementation
        : throw SdkErrors.ImplementationUnknown(id, _byId.Keys.Order(StringComparer.Ordinal));
}
