using Vfio.Manager.Names;
using Vfio.DeviceModels;

namespace Vfio.Manager.Host;

/// <summary>What a device's <c>migration/</c> directory says: its model and the current value of every parameter.</summary>
/// <param name="Model">The <c>migration/model</c> file: the device's model id, e.g. <c>vendor-a.com/my-nic</c>.</param>
/// <param name="Parameters">One entry per other file of the directory, sorted by name, with the value it holds.</param>
public sealed record DeviceMigrationAttributes(DeviceModelId Model, IReadOnlyList<KeyValuePair<AttributeName, string>> Parameters);
