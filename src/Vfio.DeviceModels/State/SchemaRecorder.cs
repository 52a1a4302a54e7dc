namespace Vfio.DeviceModels.State;

/// <summary>Collects the fields a save writes, once per path, in first-seen order.</summary>
internal sealed class SchemaRecorder
{
    private readonly List<StateFieldSchema> _fields = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public void Record(string path, StateFieldType type, FieldPresence presence, string? since)
    {
        if (_seen.Add(path))
        {
            _fields.Add(new StateFieldSchema(path, type, presence == FieldPresence.Required, since));
        }
    }

    public DeviceStateSchema ToSchema(string modelId) => new(modelId, _fields.ToArray());
}
