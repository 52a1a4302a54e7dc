using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>One reason a source cannot migrate to a destination, with the facts an operator needs to act on it.</summary>
/// <param name="Code">The catalogue code (3xxx).</param>
/// <param name="Device">The device the problem concerns (the source, or the existing destination device), if known.</param>
/// <param name="Parameter">The parameter concerned, if any.</param>
/// <param name="Value">The value found: the source's value, or for <see cref="ErrorCode.DestinationOnlyFeatureEnabled"/> the destination's.</param>
/// <param name="Expected">What would have been accepted: the destination's allowed values, its device's value, or the off value.</param>
/// <param name="Message">A sentence naming all of the above.</param>
public sealed record CompatibilityProblem(ErrorCode Code, string? Device, string? Parameter, string? Value, string? Expected, string Message)
{
    /// <summary>The problem as an exception, for callers that stop at the first problem.</summary>
    /// <returns>A <see cref="DeviceModelException"/> carrying the code and facts.</returns>
    public DeviceModelException ToException() =>
        new(Code, Message) { Device = Device, Parameter = Parameter, Value = Value, Expected = Expected };

    /// <summary>The printed form, e.g. <c>E3003 value-not-accepted-by-destination: ...</c>.</summary>
    /// <returns>The code id, its name and the message.</returns>
    public override string ToString() => $"{ErrorCatalogue.Id(Code)} {ErrorCatalogue.Name(Code)}: {Message}";
}
