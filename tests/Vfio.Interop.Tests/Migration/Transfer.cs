using Vfio.Devices;
using Vfio.Migration;
using Vfio.Sdk.Testing;

namespace Vfio.Tests.Migration;

/// <summary>What a migration orchestrator does with two drivers, reduced to the byte moving: the test kit's
/// <see cref="MigrationTestKit.Save"/>, <see cref="MigrationTestKit.Load"/> and <see cref="MigrationTestKit.Drain"/>,
/// with this project's small odd buffer sizes.</summary>
internal static class Transfer
{
    /// <summary>Reads a stream until its end (0); with <paramref name="stopAtNothingNow"/>, also until -1.</summary>
    public static byte[] Drain(MigrationDataStream stream, bool stopAtNothingNow, int bufferSize = 1000) =>
        MigrationTestKit.Drain(stream, stopAtNothingNow, bufferSize);

    /// <summary>Saves the device: pre-copy first when asked, then STOP_COPY; leaves the source in STOP_COPY.</summary>
    public static byte[] Save(MigrationDriver source, bool preCopy, Action? whilePreCopy = null) =>
        MigrationTestKit.Save(source, preCopy, whilePreCopy, bufferSize: 1000);

    /// <summary>Loads data into the destination and leaves it in <paramref name="final"/>.</summary>
    public static void Load(MigrationDriver destination, byte[] data, MigrationState final = MigrationState.Running,
        RecoveryPolicy? recovery = null, int writeSize = 777) =>
        MigrationTestKit.Load(destination, data, final, recovery, writeSize);
}
