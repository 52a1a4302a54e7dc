using Vfio;

namespace Vfioctl.Cli;

/// <summary>Opens the files named on the command line; a file that cannot be opened is a usage error.</summary>
internal static class CliFiles
{
    public static FileStream OpenRead(string path) => Open(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true));

    public static FileStream Create(string path) => Open(path, () => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true));

    private static FileStream Open(string path, Func<FileStream> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VfioException(ErrorCode.UsageError, $"cannot open '{path}': {e.Message}", e) { Value = path };
        }
    }
}
