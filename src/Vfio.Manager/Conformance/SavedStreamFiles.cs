using Vfio.Conformance;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Errors;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Conformance;

/// <summary>
/// Reads the saved streams a vendor keeps for the conformance kit (streams of older builds, as <c>vfioctl save</c> wrote
/// them: the envelope of docs/stream-format.md) and keeps those meant for one device: its model and configuration.
/// </summary>
public static class SavedStreamFiles
{
    /// <summary>Reads every file of a directory (not its subdirectories), in name order.</summary>
    /// <param name="directory">The directory, e.g. <c>tests/testdata/streams/devices</c>.</param>
    /// <param name="configuration">The device's configuration: a stream of another model or configuration is skipped.</param>
    /// <param name="device">The device's name, for messages.</param>
    /// <returns>Options with the streams that fit and, for the others, why they were skipped.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.PathInvalid"/> when the directory does not exist.</exception>
    public static ConformanceOptions Read(string directory, DeviceConfiguration configuration, string device)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!Directory.Exists(directory))
        {
            throw ManagerErrors.SavedStreamsDirectoryMissing(directory);

        }
        var streams = new List<SavedStream>();
        var skipped = new List<string>();
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            try
            {
                streams.Add(new SavedStream(name, Unwrap(path, configuration, device)));
            }
            catch (VfioException e)
            {
                skipped.Add($"{name}: {ErrorCatalogue.Id(e.Code)} {e.Message}");
            }
        }
        return new ConformanceOptions { SavedStreams = streams, SavedStreamsSkipped = skipped };
    }

    /// <summary>The device data of one envelope file, refused (E5007) when it is for another model or configuration.</summary>
    /// <param name="path">The file.</param>
    /// <param name="configuration">The device's configuration.</param>
    /// <param name="device">The device's name.</param>
    /// <returns>The data exactly as the source's data_fd produced it.</returns>
    /// <exception cref="VfioException">The stream's E5xxx codes.</exception>
    public static byte[] Unwrap(string path, DeviceConfiguration configuration, string device)
    {
        using FileStream file = File.OpenRead(path);
        using var reader = new MigrationStreamReader(file, header => StreamHeaderValidator.Check(header, configuration, device));
        reader.ReadHeader();
        using var data = new MemoryStream();
        reader.CopyTo(data);
        return data.ToArray();
    }
}
