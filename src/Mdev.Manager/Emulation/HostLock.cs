using System.Diagnostics;
using Vfio;

namespace Mdev.Manager;

/// <summary>
/// The emulated host's exclusive lock: a lock file opened with <see cref="FileShare.None"/>, which .NET on
/// Linux turns into <c>flock(LOCK_EX | LOCK_NB)</c>. flock locks belong to the open file description, so two
/// processes, or two <see cref="EmulatedSysfs"/> instances in one process, exclude each other alike, and the
/// kernel drops the lock if its holder dies.
/// </summary>
internal sealed class HostLock : IDisposable
{
    private readonly FileStream _stream;

    private HostLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, retrying until <paramref name="timeout"/> has passed.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.LockTimeout"/> when the lock stays taken.</exception>
    internal static HostLock Acquire(string lockFile, TimeSpan timeout, string what = "the emulated host lock")
    {
        var clock = Stopwatch.StartNew();
        IOException? last = null;
        do
        {
            try
            {
                return new HostLock(new FileStream(lockFile, PrivateFiles.OpenOrCreate(FileAccess.ReadWrite, FileShare.None)));
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                // Another holder: the emulated host's critical sections are a few file operations long, so a
                // short back-off keeps the wait close to the holder's release.
                last = e;
                Thread.Sleep(2);
            }
        }
        while (clock.Elapsed < timeout);
        throw new VfioException(ErrorCode.LockTimeout,
            $"{what} '{lockFile}' was not released within {timeout.TotalSeconds:0.###} s; another process holds it.", last)
        {
            Value = lockFile,
        };
    }

    /// <summary>Takes the lock if nobody holds it, without waiting.</summary>
    /// <returns>The lock, or null when another holder has it.</returns>
    internal static HostLock? TryAcquire(string lockFile)
    {
        try
        {
            return new HostLock(new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            // flock(LOCK_EX | LOCK_NB) said EWOULDBLOCK: the holder is alive and has it.
            return null;
        }
    }

    /// <summary>Releases the lock (closing the file releases the flock).</summary>
    public void Dispose() => _stream.Dispose();
}
