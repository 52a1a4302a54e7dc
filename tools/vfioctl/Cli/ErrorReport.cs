using Vfio;

namespace Vfioctl.Cli;

/// <summary>Prints a failure the one way every verb prints it: code, name, message, then the docs page.</summary>
internal static class ErrorReport
{
    public static void Write(TextWriter error, ErrorCode code, string message)
    {
        error.WriteLine($"error {ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}: {message}");
        error.WriteLine($"  see {ErrorCatalogue.DocLink(code)}");
    }
}
