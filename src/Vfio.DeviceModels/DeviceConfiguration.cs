using System.Diagnostics.CodeAnalysis;
using System.Text;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// The full, expanded set of parameter values a device instance runs with: every parameter of its model has
/// exactly one canonical value. Fixed before the device is first opened and never changed by migration.
/// </summary>
/// <remarks>
/// <para>Text form (what users write, what sysfs and definitions hold): comma-separated <c>name=value</c> items,
/// optionally with one <c>version=N</c> item. The version is expanded first, then the explicit items override it,
/// wherever they stand in the list; every parameter named by neither is at its off value. So <c>""</c> means
/// everything off, and <c>version=2,rx-filter-size=64</c> means version 2 with a bigger filter.</para>
/// <para>The canonical text (<see cref="ToString"/>) names only parameters whose value differs from the off
/// value, sorted ordinal, and never a version: it parses back to an equal configuration.</para>
/// <para>Equality and hashing are by content: the model id plus the name/value map. Version names play no part.
/// A device created with nothing pinned gets <see cref="FromInit"/>, not the all-off configuration.</para>
/// </remarks>
public sealed class DeviceConfiguration : IEquatable<DeviceConfiguration>
{
    private readonly string[] _values; // aligned with Model.Parameters (sorted by name)
    private IReadOnlyDictionary<string, string>? _map;
    private string? _text;

    private DeviceConfiguration(ModelDescription model, string[] values)
    {
        Model = model;
        _values = values;
    }

    /// <summary>The description this configuration was validated against.</summary>
    public ModelDescription Model { get; }

    /// <summary>The model id.</summary>
    public DeviceModelId ModelId => Model.Id;

    /// <summary>
    /// The full expanded map: every parameter of the model with its canonical value, sorted by name. This is also
    /// the "foreign" form a source hands to a destination that may not share its description (see
    /// <see cref="ToForeign"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Values => _map ??= BuildMap();

    /// <summary>The value of a parameter.</summary>
    /// <param name="parameter">The parameter name.</param>
    /// <returns>The canonical value.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterUnknown"/> when the model has no such parameter.</exception>
    public string this[string parameter]
    {
        get
        {
            int i = Model.IndexOf(parameter);
            return i >= 0 ? _values[i] : throw Model.UnknownParameter(parameter, null);
        }
    }

    /// <summary>Every parameter at its off value: the configuration of a device that predates every feature.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The all-off configuration; its text is the empty string.</returns>
    public static DeviceConfiguration Off(ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DeviceConfiguration(model, model.Parameters.Select(p => p.OffValue).ToArray());
    }

    /// <summary>Every parameter at its init value: what a creation request that pins nothing gets.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The init configuration.</returns>
    public static DeviceConfiguration FromInit(ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DeviceConfiguration(model, model.Parameters.Select(p => p.InitValue).ToArray());
    }

    /// <summary>Builds a configuration from a version (or all-off) plus explicit values.</summary>
    /// <param name="model">The model.</param>
    /// <param name="values">Parameter values; parameters not named are at their off value (or the version's value).</param>
    /// <param name="version">A version to expand first, or <see langword="null"/>.</param>
    /// <param name="device">The device, for messages.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.ParameterUnknown"/>, <see cref="ErrorCode.ValueNotAllowed"/> or <see cref="ErrorCode.VersionUnknown"/>.
    /// </exception>
    public static DeviceConfiguration FromValues(ModelDescription model, IEnumerable<KeyValuePair<string, string>> values, string? version = null, string? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        string[] result = StartFrom(model, version, device);
        foreach (KeyValuePair<string, string> kv in values)
        {
            int i = model.IndexOf(kv.Key);
            if (i < 0)
            {
                throw model.UnknownParameter(kv.Key, device, kv.Value);
            }
            result[i] = model.Parameters[i].Normalize(kv.Value, model.Id, device);
        }
        return new DeviceConfiguration(model, result);
    }

    /// <summary>Parses configuration text against a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="text">The text, e.g. <c>version=2,rx-filter-size=64</c>, <c>rss=on</c> or the empty string for all-off.</param>
    /// <param name="device">The device the text is for, named in errors; may be <see langword="null"/>.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.ConfigurationMalformed"/> (empty item, missing '=', empty name or value, white space, a second '='),
    /// <see cref="ErrorCode.ParameterUnknown"/>, <see cref="ErrorCode.ParameterDuplicate"/> (including two <c>version</c> items),
    /// <see cref="ErrorCode.ValueNotAllowed"/>, <see cref="ErrorCode.VersionUnknown"/>; each names the device, parameter and value.
    /// </exception>
    public static DeviceConfiguration Parse(ModelDescription model, string text, string? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        DeviceModelException? error = TryParseCore(model, text, device, out DeviceConfiguration? config);
        return error is null ? config! : throw error;
    }

    /// <summary>Parses configuration text against a model without throwing.</summary>
    /// <param name="model">The model.</param>
    /// <param name="text">The text.</param>
    /// <param name="config">The configuration when the text is valid.</param>
    /// <returns><see langword="true"/> when the text is a valid configuration of the model.</returns>
    public static bool TryParse(ModelDescription model, string? text, [NotNullWhen(true)] out DeviceConfiguration? config) =>
        TryParse(model, text, out config, out _);

    /// <summary>Parses configuration text against a model without throwing, returning the refusal.</summary>
    /// <param name="model">The model.</param>
    /// <param name="text">The text.</param>
    /// <param name="config">The configuration when the text is valid.</param>
    /// <param name="error">The refusal, with its code, when the text is not valid.</param>
    /// <returns><see langword="true"/> when the text is a valid configuration of the model.</returns>
    public static bool TryParse(ModelDescription model, string? text, [NotNullWhen(true)] out DeviceConfiguration? config, [NotNullWhen(false)] out DeviceModelException? error)
    {
        ArgumentNullException.ThrowIfNull(model);
        error = TryParseCore(model, text, null, out config);
        return error is null;
    }

    /// <summary>A copy with one parameter changed.</summary>
    /// <param name="parameter">The parameter name.</param>
    /// <param name="value">The new value (normalised; <c>064</c> becomes <c>64</c>).</param>
    /// <returns>The new configuration; this one is unchanged.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterUnknown"/> or <see cref="ErrorCode.ValueNotAllowed"/>.</exception>
    public DeviceConfiguration With(string parameter, string value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        int i = Model.IndexOf(parameter);
        if (i < 0)
        {
            throw Model.UnknownParameter(parameter, null, value);
        }
        string[] copy = (string[])_values.Clone();
        copy[i] = Model.Parameters[i].Normalize(value, Model.Id);
        return new DeviceConfiguration(Model, copy);
    }

    /// <summary>Whether a parameter is at its off value.</summary>
    /// <param name="parameter">The parameter name.</param>
    /// <returns><see langword="true"/> when the parameter's feature is off.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterUnknown"/> when the model has no such parameter.</exception>
    public bool IsOff(string parameter) => this[parameter] == Model.GetParameter(parameter).OffValue;

    /// <summary>
    /// The configuration as plain strings for a host that may not share this description: every parameter with its
    /// value and, so the receiver can tell a disabled feature from an enabled one, its off value here.
    /// </summary>
    /// <param name="device">The source device's name, carried into compatibility messages.</param>
    /// <returns>The foreign form.</returns>
    public ForeignConfiguration ToForeign(string? device = null) =>
        new(ModelId, Values, Model.Parameters.ToDictionary(p => p.Name, p => p.OffValue, StringComparer.Ordinal), device);

    /// <summary>The canonical text: parameters differing from their off value, sorted ordinal, as <c>name=value</c> joined by commas.</summary>
    /// <returns>The text; the empty string when every parameter is off.</returns>
    public override string ToString()
    {
        if (_text is not null)
        {
            return _text;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < _values.Length; i++)
        {
            if (_values[i] != Model.Parameters[i].OffValue)
            {
                if (sb.Length > 0)
                {
                    sb.Append(',');
                }
                sb.Append(Model.Parameters[i].Name).Append('=').Append(_values[i]);
            }
        }
        return _text = sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] DeviceConfiguration? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || ModelId != other.ModelId || _values.Length != other._values.Length)
        {
            return false;
        }
        for (int i = 0; i < _values.Length; i++)
        {
            if (_values[i] != other._values[i] || Model.Parameters[i].Name != other.Model.Parameters[i].Name)
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DeviceConfiguration);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ModelId);
        for (int i = 0; i < _values.Length; i++)
        {
            hash.Add(Model.Parameters[i].Name, StringComparer.Ordinal);
            hash.Add(_values[i], StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    /// <summary>Content equality.</summary>
    /// <param name="left">A configuration.</param>
    /// <param name="right">Another.</param>
    /// <returns><see langword="true"/> when both have the same model id and values.</returns>
    public static bool operator ==(DeviceConfiguration? left, DeviceConfiguration? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Content inequality.</summary>
    /// <param name="left">A configuration.</param>
    /// <param name="right">Another.</param>
    /// <returns><see langword="true"/> when model id or any value differs.</returns>
    public static bool operator !=(DeviceConfiguration? left, DeviceConfiguration? right) => !(left == right);

    private System.Collections.ObjectModel.ReadOnlyDictionary<string, string> BuildMap()
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < _values.Length; i++)
        {
            map.Add(Model.Parameters[i].Name, _values[i]);
        }
        return map.AsReadOnly();
    }

    private static string[] StartFrom(ModelDescription model, string? version, string? device)
    {
        string[] result = model.Parameters.Select(p => p.OffValue).ToArray();
        if (version is not null)
        {
            if (!model.HasVersion(version))
            {
                throw model.UnknownVersion(version, device);
            }
            foreach (KeyValuePair<string, string> kv in model.ExpandVersion(version))
            {
                result[model.IndexOf(kv.Key)] = kv.Value;
            }
        }
        return result;
    }

    private static DeviceModelException? TryParseCore(ModelDescription model, string? text, string? device, out DeviceConfiguration? config)
    {
        config = null;
        if (text is null)
        {
            return Malformed(model, device, "<null>", "no text");
        }
        if (text.Length == 0)
        {
            config = Off(model);
            return null;
        }
        string? version = null;
        var items = new List<(int Index, string Name, string Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int position = 0;
        int column = 1;
        foreach (string item in text.Split(','))
        {
            position++;
            if (ValueSyntax.SplitItem(item, out string name, out string value) is { } why)
            {
                // The item's ordinal and column name the token, so 'rss=on,,x' says which of the items is at fault.
                return Malformed(model, device, text, $"item {position} (column {column}): {why}");
            }
            column += item.Length + 1;
            if (!seen.Add(name))
            {
                return ValueSyntax.DuplicateItem(model.Id, text, name, value, device);
            }
            if (name == ValueSyntax.VersionKey)
            {
                version = value;
                continue;
            }
            int index = model.IndexOf(name);
            if (index < 0)
            {
                return model.UnknownParameter(name, device, value);
            }
            items.Add((index, name, value));
        }

        string[] values;
        try
        {
            values = StartFrom(model, version, device);
            foreach ((int index, _, string value) in items)
            {
                values[index] = model.Parameters[index].Normalize(value, model.Id, device);
            }
        }
        catch (DeviceModelException e)
        {
            return e;
        }
        config = new DeviceConfiguration(model, values);
        return null;
    }

    private static DeviceModelException Malformed(ModelDescription model, string? device, string text, string why) =>
        ModelErrors.ConfigurationMalformed(model.Id, device, text, why);

}
