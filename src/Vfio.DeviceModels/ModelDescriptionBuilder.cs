using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// A fluent way for a vendor to write a <see cref="ModelDescription"/> once:
/// <code>
/// ModelDescription nic = new ModelDescriptionBuilder("vendor-a.com/my-nic")
///     .Int("rx-filter-size", "0-64", off: "0", init: "32", "Receive filter entries", since: "2")
///     .Bool("rss", off: "off", init: "on", "Receive side scaling", since: "3")
///     .Version("1")
///     .Version("2", basedOn: "1", ("rx-filter-size", "32"))
///     .Version("3", basedOn: "2", ("rss", "on"))
///     .Latest("3")
///     .Build();
/// </code>
/// Each call validates what it can at once; <see cref="Build"/> validates the whole.
/// </summary>
public sealed class ModelDescriptionBuilder
{
    private readonly DeviceModelId _id;
    private readonly List<ParameterSpec> _parameters = [];
    private readonly List<ModelVersion> _versions = [];
    private string? _latest;

    /// <summary>Starts a description.</summary>
    /// <param name="modelId">The model id, e.g. <c>vendor-a.com/my-nic</c>.</param>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelIdInvalid"/> when the id is not canonical.</exception>
    public ModelDescriptionBuilder(string modelId)
        : this(DeviceModelId.Parse(modelId))
    {
    }

    /// <summary>Starts a description.</summary>
    /// <param name="modelId">The model id.</param>
    public ModelDescriptionBuilder(DeviceModelId modelId)
    {
        _id = modelId;
    }

    /// <summary>Adds a parameter.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>This builder.</returns>
    public ModelDescriptionBuilder Parameter(ParameterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _parameters.Add(spec);
        return this;
    }

    /// <summary>Adds a boolean switch (see <see cref="ParameterSpec.Bool"/>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="off">The value that disables the feature.</param>
    /// <param name="init">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the spec is invalid.</exception>
    public ModelDescriptionBuilder Bool(string name, string off, string init, string description = "", string? since = null) =>
        Parameter(ParameterSpec.Bool(name, off, init, description, since));

    /// <summary>Adds an integer parameter (see <see cref="ParameterSpec.Int"/>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="allowed">The ranges, e.g. <c>0-64</c>.</param>
    /// <param name="off">The value that disables the feature.</param>
    /// <param name="init">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the spec is invalid.</exception>
    public ModelDescriptionBuilder Int(string name, string allowed, string off, string init, string description = "", string? since = null) =>
        Parameter(ParameterSpec.Int(name, allowed, off, init, description, since));

    /// <summary>Adds a string parameter (see <see cref="ParameterSpec.Str"/>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="allowed">The tokens, e.g. <c>none,fifo</c>.</param>
    /// <param name="off">The value that disables the feature.</param>
    /// <param name="init">The value of a device created with nothing pinned.</param>
    /// <param name="description">One line for operators.</param>
    /// <param name="since">The version that introduced it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the spec is invalid.</exception>
    public ModelDescriptionBuilder Str(string name, string allowed, string off, string init, string description = "", string? since = null) =>
        Parameter(ParameterSpec.Str(name, allowed, off, init, description, since));

    /// <summary>Declares the next version (declare oldest first).</summary>
    /// <param name="name">The version name.</param>
    /// <param name="basedOn">The version it builds on, or <see langword="null"/> for all-off.</param>
    /// <param name="assignments">The values it sets over its base.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ModelDescriptionInvalid"/> when a name is invalid.</exception>
    public ModelDescriptionBuilder Version(string name, string? basedOn = null, params (string Parameter, string Value)[] assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string p, string v) in assignments)
        {
            if (!map.TryAdd(p, v))
            {
                throw ModelErrors.DescriptionInvalid(_id, $"version '{name}' assigns '{p}' twice", p, v);

            }
        }
        _versions.Add(new ModelVersion(name, map, basedOn));
        return this;
    }

    /// <summary>Declares the newest version; without this call the last declared version is the latest.</summary>
    /// <param name="name">A declared version name.</param>
    /// <returns>This builder.</returns>
    public ModelDescriptionBuilder Latest(string name)
    {
        _latest = name;
        return this;
    }

    /// <summary>Validates and builds the description.</summary>
    /// <returns>The description.</returns>
    /// <exception cref="DeviceModelException">As thrown by the <see cref="ModelDescription"/> constructor.</exception>
    public ModelDescription Build() => new(_id, _parameters, _versions, _latest ?? (_versions.Count > 0 ? _versions[^1].Name : null));
}
