using System.Diagnostics;
using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;

namespace Vfio.Manager.Emulation;

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
    /// <exception cref="VfioException"><see cref="ErrorCode.LockTimeout"/> when the lock stays taken; a
    /// <see cref="VfioFileException"/> at once when the lock file cannot be opened at all (a read-only file system,
    /// no permission, no space): waiting would not change that.</exception>
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
            catch (IOException e) when (IsHeld(e))
            {
                // Another holder: the emulated host's critical sections are a few file operations long, so a
                // short back-off keeps the wait close to the holder's release.
                last = e;
                Thread.Sleep(2);
            }
            catch (Exception e) when (FileFault.Is(e) && e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw FileFault.From(e, $"opening {what} '{lockFile}'", lockFile, "nothing was changed");
            }
        }
        while (clock.Elapsed < timeout);
        throw ManagerErrors.LockTimeout(what, lockFile, timeout, last);

    }

    /// <summary>Takes the lock if nobody holds it, without waiting.</summary>
    /// <returns>The lock, or null when another holder has it.</returns>
    internal static HostLock? TryAcquire(string lockFile)
    {
        try
        {
            return new HostLock(new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (IsHeld(e))
        {
            // flock(LOCK_EX | LOCK_NB) said EWOULDBLOCK: the holder is alive and has it.
            return null;
        }
        catch (Exception e) when (FileFault.Is(e) && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw FileFault.From(e, $"opening the lock '{lockFile}'", lockFile, "nothing was changed");
        }
    }

    /// <summary>
    /// True when opening the lock file failed because another open file description holds the flock (EWOULDBLOCK,
    /// which .NET raises as an IOException carrying that errno). Any other errno (EROFS, EACCES, ENOSPC, EIO) is
    /// not a holder: it is reported at once instead of being waited out as a lock timeout.
    /// </summary>
    private static bool IsHeld(IOException e) => FileFault.ErrnoOf(e) == EWOULDBLOCK;

    private const int EWOULDBLOCK = 11;

    /// <summary>Releases the lock (closing the file releases the flock).</summary>
    public void Dispose() => _stream.Dispose();
}
