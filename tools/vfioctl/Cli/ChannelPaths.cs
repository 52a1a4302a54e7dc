using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Where the channels of a multi-channel save or load live (docs/stream-format.md "Channels"): channel 0 at the path
/// the operator named with -o/-i, channel i beside it at <c>PATH.i</c> (files or FIFOs).
/// </summary>
internal static class ChannelPaths
{
    /// <summary>The paths of <paramref name="channels"/> channels based on <paramref name="path"/>.</summary>
    /// <param name="path">Channel 0's path; must not be - (stdin/stdout) with more than one channel.</param>
    /// <param name="channels">The channel count, 1 to 64.</param>
    /// <param name="option">-o or -i, for the message.</param>
    /// <returns>N paths, channel 0 first.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.UsageError"/> for - with more than one channel.</exception>
    public static IReadOnlyList<string> For(string path, int channels, string option)
    {
        if (channels > 1 && path == "-")
        {
            throw CliErrors.ChannelsNeedFile(channels, option);
        }
        return [path, .. Enumerable.Range(1, channels - 1).Select(i => $"{path}.{i}")];
    }

    /// <summary>Opens every channel of a load, refusing a missing one before anything is read.</summary>
    /// <param name="paths">The channels' paths, from <see cref="For"/>.</param>
    /// <returns>The open streams, channel 0 first; the caller disposes them.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.StreamChannelMissing"/> when a channel after the first does not exist.</exception>
    public static IReadOnlyList<Stream> OpenForLoad(IReadOnlyList<string> paths)
    {
        for (int i = 1; i < paths.Count; i++)
        {
            if (!File.Exists(paths[i]))
            {
                throw CliErrors.ChannelMissing(paths, i);
            }
        }
        var streams = new List<Stream>(paths.Count);
        try
        {
            foreach (string path in paths)
            {
                streams.Add(CliFiles.OpenRead(path));
            }
            return streams;
        }
        catch (VfioException)
        {
            foreach (Stream opened in streams)
            {
                opened.Dispose();
            }
            throw;
        }
    }
}
