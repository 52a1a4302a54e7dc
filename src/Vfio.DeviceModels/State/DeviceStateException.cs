using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Device state could not be loaded: a byte changed after the saving device checksummed it
/// (<see cref="ErrorCode.DeviceStateChecksumMismatch"/>), it is malformed (<see cref="ErrorCode.DeviceStateMalformed"/>), it holds a
/// required field this implementation does not know (<see cref="ErrorCode.DeviceStateFieldUnknown"/>), or the
/// device's load code refused it (<see cref="ErrorCode.DeviceStateLoadFailed"/>).
/// </summary>
public sealed class DeviceStateException : VfioException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">One of the device-state codes (4007-4009, 4012).</param>
    /// <param name="device">The device being loaded.</param>
    /// <param name="field">The field's path (<c>section/field</c>), or null when the problem is not one field.</param>
    /// <param name="message">What was found and what was expected.</param>
    /// <param name="innerException">The device's own failure, if any.</param>
    public DeviceStateException(ErrorCode code, string device, string? field, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
        Device = device;
        Parameter = field;
    }

    /// <summary>The path of the field concerned (<c>section/field</c>), or null.</summary>
    public string? Field => Parameter;
}
