using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// A failure in a device model, parameter specification, configuration or capability document
/// (catalogue ranges 2xxx and 3xxx). The message names the device, parameter, value and expectation
/// where they apply; the same facts are on <see cref="VfioException.Device"/>,
/// <see cref="VfioException.Parameter"/>, <see cref="VfioException.Value"/> and
/// <see cref="VfioException.Expected"/> so tools can print them without parsing the message.
/// </summary>
public sealed class DeviceModelException : VfioException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The catalogue code, e.g. <see cref="ErrorCode.ValueNotAllowed"/>.</param>
    /// <param name="message">A message that already names the device, parameter, value and expectation.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public DeviceModelException(ErrorCode code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
