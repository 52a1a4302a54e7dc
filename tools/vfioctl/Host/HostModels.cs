using Vfio.Manager.Host;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;

namespace Vfio.Ctl.Host;

/// <summary>The one place the CLI turns the manager's view of a type into model descriptions.</summary>
internal static class HostModels
{
    /// <summary>The type's capability document, or null when its driver publishes none.</summary>
    public static MigrationInfo? Document(MdevType type) =>
        type.Migration?.Document;

    /// <summary>The model a new device of the type runs, or null when the type has no migration information.</summary>
    public static ModelDescription? DefaultModel(MdevType type) => type.Migration?.DefaultModel;

    /// <summary>
    /// Every description of <paramref name="model"/> the host's types publish: what the host knows of the model's
    /// parameters, e.g. their off values (<see cref="ForeignConfiguration.WithOffValuesFrom"/>).
    /// </summary>
    public static IEnumerable<ModelDescription> Descriptions(MdevHost host, DeviceModelId model) =>
        host.GetParents()
            .SelectMany(parent => parent.Types)
            .Select(type => type.Migration?.Document.Find(model))
            .OfType<ModelDescription>();

    /// <summary>The host capability document: every type that publishes migration information.</summary>
    public static HostCapabilities Capabilities(MdevHost host, string hostName)
    {
        var parents = new List<ParentCapabilities>();
        foreach (MdevParent parent in host.GetParents().OrderBy(p => p.Name.Value, StringComparer.Ordinal))
        {
            var types = new List<TypeCapabilities>();
            foreach (MdevType type in parent.Types.OrderBy(t => t.Name.Value, StringComparer.Ordinal))
            {
                if (Document(type) is MigrationInfo info)
                {
                    types.Add(new TypeCapabilities(type.Name.Value, info, type.AvailableInstances));
                }
            }
            parents.Add(new ParentCapabilities(parent.Name.Value, types));
        }
        return new HostCapabilities(hostName, parents);
    }
}
