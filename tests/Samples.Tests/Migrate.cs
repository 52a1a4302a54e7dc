using Vfio.Devices;
using Vfio.Migration;
using Vfio.Sdk.Testing;

namespace Vfio.Tests.Samples;

/// <summary>What an orchestrator does with two drivers, reduced to moving the device's bytes: the test kit's
/// <see cref="MigrationTestKit.Save"/>, <see cref="MigrationTestKit.Load"/> and <see cref="MigrationTestKit.Drain"/>,
/// with this project's odd buffer sizes (so reads and writes split the device's pieces).</summary>
internal static class Migrate
{
    /// <summary>Reads until the end of data (0), or with <paramref name="stopAtNothingNow"/> also until "nothing now" (-1).</summary>
    public static byte[] Drain(MigrationDataStream stream, bool stopAtNothingNow, int bufferSize = 4000) =>
        MigrationTestKit.Drain(stream, stopAtNothingNow, bufferSize);

    /// <summary>Saves the source (pre-copy rounds first when asked, running <paramref name="whilePreCopy"/> between them); leaves it in STOP_COPY.</summary>
    public static byte[] Save(MigrationDriver source, bool preCopy, Action? whilePreCopy = null) =>
        MigrationTestKit.Save(source, preCopy, whilePreCopy, bufferSize: 4000);

    /// <summary>Loads the bytes into the destination and leaves it RUNNING.</summary>
    public static void Load(MigrationDriver destination, byte[] data, int writeSize = 3000) =>
        MigrationTestKit.Load(destination, data, writeSize: writeSize);
}
