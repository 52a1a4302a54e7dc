namespace Vfio.Errors;

/// <summary>
/// The base of every exception this project raises for a failure a user can meet. It carries a catalogue
/// code and, where they apply, the facts the message names: device, parameter, value and what was expected.
/// </summary>
public class VfioException : Exception
{
    /// <summary>Creates an exception with a catalogue code and a message that already names the facts.</summary>
    /// <param name="code">The catalogue code.</param>
    /// <param name="message">A message naming the device, parameter, value and expectation where they apply.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public VfioException(ErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The catalogue code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The device the failure concerns (a UUID, PCI address or emulated name), if any.</summary>
    public string? Device { get; init; }

    /// <summary>The migration parameter the failure concerns, if any.</summary>
    public string? Parameter { get; init; }

    /// <summary>The value that was refused, if any.</summary>
    public string? Value { get; init; }

    /// <summary>What was expected instead, if it can be said.</summary>
    public string? Expected { get; init; }

    /// <summary>The one-line form printed by the tools: <c>E3001 model-mismatch: message</c>.</summary>
    /// <returns>The code id, its name and the message.</returns>
    public string ToDisplayString() => $"{ErrorCatalogue.Id(Code)} {ErrorCatalogue.Name(Code)}: {Message}";
}
