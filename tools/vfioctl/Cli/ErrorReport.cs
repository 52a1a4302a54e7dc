using Vfio.Ctl.Output;
using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Prints a failure the one way every verb prints it: code, name, message, then the docs page. The message often
/// quotes input (a name, a value, a file's content), so it goes through <see cref="TerminalText.Block"/>.
/// </summary>
internal static class ErrorReport
{
    /// <summary>Longer messages are cut: they only get that long by quoting a hostile input in full.</summary>
    public const int MaxMessageLength = 8192;

    public static void Write(TextWriter error, ErrorCode code, string message) => Print(error, "error", code, message);

    /// <summary>A failure the verb survived (e.g. one unreadable definition while the others are listed): the same form, as a warning.</summary>
    public static void Warn(TextWriter error, ErrorCode code, string message) => Print(error, "warning", code, message);

    private static void Print(TextWriter error, string kind, ErrorCode code, string message)
    {
        if (message.Length > MaxMessageLength)
        {
            message = $"{message[..MaxMessageLength]}... ({message.Length - MaxMessageLength} more characters)";
        }
        error.WriteLine($"{kind} {ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}: {TerminalText.Block(message)}");
        error.WriteLine($"  see {ErrorCatalogue.DocLink(code)}");
    }
}
