using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Tests.Migration;

/// <summary>What a migration orchestrator does with two drivers, reduced to the byte moving.</summary>
internal static class Transfer
{
    /// <summary>Reads a stream until its end (0); with <paramref name="stopAtNothingNow"/>, also until -1.</summary>
    public static byte[] Drain(MigrationDataStream stream, bool stopAtNothingNow, int bufferSize = 1000)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[bufferSize];
        while (true)
        {
            int n = stream.TryRead(buffer);
            if (n == 0 || (n < 0 && stopAtNothingNow))
            {
                return all.ToArray();
            }
            Assert.True(n > 0, "-1 outside pre-copy");
            all.Write(buffer, 0, n);
        }
    }

    /// <summary>Saves the device: pre-copy first when asked, then STOP_COPY; leaves the source in STOP_COPY.</summary>
    public static byte[] Save(MigrationDriver source, bool preCopy, Action? whilePreCopy = null)
    {
        var all = new MemoryStream();
        if (preCopy)
        {
            using MigrationDataStream stream = source.TransitionTo(MigrationState.PreCopy)
                ?? throw new InvalidOperationException("PRE_COPY opened no stream");
            all.Write(Drain(stream, stopAtNothingNow: true));
            whilePreCopy?.Invoke();
            // vfio.h: the saving states share one session; STOP_COPY opens no new one.
            Assert.Null(source.TransitionTo(MigrationState.StopCopy));
            all.Write(Drain(stream, stopAtNothingNow: false));
        }
        else
        {
            using MigrationDataStream stream = source.TransitionTo(MigrationState.StopCopy)
                ?? throw new InvalidOperationException("STOP_COPY opened no stream");
            all.Write(Drain(stream, stopAtNothingNow: false));
        }
        return all.ToArray();
    }

    /// <summary>Loads data into the destination and leaves it in <paramref name="final"/>.</summary>
    public static void Load(MigrationDriver destination, byte[] data, MigrationState final = MigrationState.Running,
        RecoveryPolicy? recovery = null, int writeSize = 777)
    {
        using (MigrationDataStream stream = destination.TransitionTo(MigrationState.Resuming)
            ?? throw new InvalidOperationException("RESUMING opened no stream"))
        {
            for (int at = 0; at < data.Length; at += writeSize)
            {
                stream.Write(data.AsSpan(at, Math.Min(writeSize, data.Length - at)));
            }
        }
        destination.TransitionTo(final, recovery)?.Dispose();
    }
}
