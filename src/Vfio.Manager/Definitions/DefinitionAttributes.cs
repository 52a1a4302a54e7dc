using Vfio.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;

namespace Vfio.Manager.Definitions;

/// <summary>
/// A pinned configuration carried as mdevctl attribute writes, so a definition written by this manager starts
/// the same pinned device when mdevctl starts it, and the other way round.
/// </summary>
/// <remarks>
/// The writes are the ones <see cref="MdevHost.Create"/> makes: every parameter once, in the model's order, with the
/// value the device runs (off included), each as <c>{"migration/&lt;param&gt;": "&lt;value&gt;"}</c>. Writing every
/// parameter makes the result independent of the driver's init values, which a newer driver may have raised; writing
/// each once means the attrs read as the configuration itself (<c>list -d --dumpjson</c> shows no parameter twice, so
/// they can be given back as <c>--config</c>). Definitions written before, with off values first and then the
/// values that differ, still read the same (the last write of a parameter wins, as it does in sysfs).
/// </remarks>
public static class DefinitionAttributes
{
    /// <summary>The directory the parameter files live in, relative to the device.</summary>
    public const string MigrationPrefix = "migration/";

    /// <summary>The ordered attribute writes that pin a configuration.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>One write per parameter, in the model's order, with the configuration's value.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> FromConfiguration(DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return [.. configuration.Model.Parameters.Select(spec => new KeyValuePair<string, string>(MigrationPrefix + spec.Name, configuration[spec.Name]))];
    }

    /// <summary>
    /// The configuration a device ends up with when the writes are applied in order to a freshly created device
    /// (which starts at init values), or null when the writes touch no migration parameter.
    /// </summary>
    /// <param name="model">The type's model.</param>
    /// <param name="attributes">The definition's attribute writes.</param>
    /// <returns>The resulting configuration, or null.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterUnknown"/> or <see cref="ErrorCode.ValueNotAllowed"/>.</exception>
    public static DeviceConfiguration? ToConfiguration(ModelDescription model, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(attributes);
        var values = model.Parameters.ToDictionary(p => p.Name, p => p.InitValue, StringComparer.Ordinal);
        bool any = false;
        foreach (KeyValuePair<string, string> attribute in attributes)
        {
            if (attribute.Key.StartsWith(MigrationPrefix, StringComparison.Ordinal))
            {
                string parameter = attribute.Key[MigrationPrefix.Length..];
                values[parameter] = model.GetParameter(parameter).Normalize(attribute.Value, model.Id);
                any = true;
            }
        }
        return any ? DeviceConfiguration.FromValues(model, values) : null;
    }

    /// <summary>Refuses an attribute path that could leave the device directory.</summary>
    internal static void RequireSafePath(string file, int index, string path)
    {
        foreach (string segment in path.Split('/'))
        {
            if (NameRules.SegmentProblem(segment) is string problem)
            {
                throw DefinitionJson.Invalid(file, $"attrs[{index}] path {NameRules.Quote(path)} is not a safe path: {problem}");
            }
        }
    }
}
