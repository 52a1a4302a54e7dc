using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Tests.Samples;

/// <summary>What an orchestrator does with two drivers, reduced to moving the device's bytes.</summary>
internal static class Migrate
{
    /// <summary>Reads until the end of data (0), or with <paramref name="stopAtNothingNow"/> also until "nothing now" (-1).</summary>
    public static byte[] Drain(MigrationDataStream stream, bool stopAtNothingNow, int bufferSize = 4000)
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

    /// <summary>Saves the source (pre-copy rounds first when asked, running <paramref name="whilePreCopy"/> between them); leaves it in STOP_COPY.</summary>
    public static byte[] Save(MigrationDriver source, bool preCopy, Action? whilePreCopy = null)
    {
        var all = new MemoryStream();
        if (preCopy)
        {
            using MigrationDataStream stream = source.TransitionTo(MigrationState.PreCopy)
                ?? throw new InvalidOperationException("PRE_COPY opened no stream");
            all.Write(Drain(stream, stopAtNothingNow: true));
            whilePreCopy?.Invoke();
            all.Write(Drain(stream, stopAtNothingNow: true));
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

    /// <summary>Loads the bytes into the destination and leaves it RUNNING.</summary>
    public static void Load(MigrationDriver destination, byte[] data, int writeSize = 3000)
    {
        using (MigrationDataStream stream = destination.TransitionTo(MigrationState.Resuming)
            ?? throw new InvalidOperationException("RESUMING opened no stream"))
        {
            for (int at = 0; at < data.Length; at += writeSize)
            {
                stream.Write(data.AsSpan(at, Math.Min(writeSize, data.Length - at)));
            }
        }
        destination.TransitionTo(MigrationState.Running)?.Dispose();
    }
}
