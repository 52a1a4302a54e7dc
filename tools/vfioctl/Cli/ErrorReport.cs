using Vfio;
using Vfioctl.Output;

namespace Vfioctl.Cli;

/// <summary>
/// Prints a failure the one way every verb prints it: code, name, message, then the docs page. The message often
/// quotes input (a name, a value, a file's content), so it goes through <see cref="TerminalText.Block"/>.
/// </summary>
internal static class ErrorReport
{
    public static void Write(TextWriter error, ErrorCode code, string message)
    {
        error.WriteLine($"error {ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}: {TerminalText.Block(message)}");
        error.WriteLine($"  see {ErrorCatalogue.DocLink(code)}");
    }
}
