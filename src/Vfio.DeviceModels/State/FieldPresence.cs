using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>Whether a loader that does not know a field may skip it.</summary>
/// <remarks>Presence says what an <em>older</em> loader may do with a field it has never heard of. Mark a field
/// optional when ignoring it is harmless (a statistics counter, a hint); mark it required when ignoring it would
/// load a device that behaves differently from the saved one.</remarks>
public enum FieldPresence
{
    /// <summary>A loader that does not know the field must fail (<see cref="ErrorCode.DeviceStateFieldUnknown"/>).</summary>
    Required,
    /// <summary>A loader that does not know the field skips it.</summary>
    Optional,
}
