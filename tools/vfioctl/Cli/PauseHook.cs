using System.Globalization;
using Vfio.Manager.Migration;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Test seam of the fault matrix (docs/reliability.md): <c>VFIOCTL_PAUSE_AT=&lt;checkpoint&gt;[#n]</c> makes the CLI stop
/// at the n-th time (default the first) a migration reaches that <see cref="MigrationCheckpoint"/>, announce it, and
/// block there forever, so that a harness can kill the process exactly at that point. The announcement is written
/// to the file named by <c>VFIOCTL_PAUSE_MARKER</c> (created once the point is reached), else to stderr.
/// </summary>
/// <remarks>
/// Without the variable nothing is hooked. It only ever blocks: it changes no device and no file but its marker.
/// The environment is read only in a build with test hooks (<see cref="Compiled"/>: Debug, or
/// <c>-p:VfioTestHooks=true</c>); a Release build for users ignores the variables, so a stray <c>VFIOCTL_PAUSE_AT</c>
/// in an operator's environment can never block a production migration.
/// </remarks>
internal static class PauseHook
{
    public const string PauseAtVariable = "VFIOCTL_PAUSE_AT";
    public const string MarkerVariable = "VFIOCTL_PAUSE_MARKER";

    /// <summary>Whether this build reads the test hooks' environment variables at all.</summary>
    public const bool Compiled =
#if VFIO_TEST_HOOKS
        true;
#else
        false;
#endif

    /// <summary>The hook the environment asks for, or null (always null in a build without test hooks). It blocks until
    /// <paramref name="released"/> is set (<see cref="TerminationSignals.Cancelled"/>: a signal has cancelled the verb),
    /// or forever.</summary>
    public static Action<MigrationCheckpoint>? FromEnvironment(TextWriter error, WaitHandle? released = null) =>
        Compiled
            ? Create(Environment.GetEnvironmentVariable(PauseAtVariable), Environment.GetEnvironmentVariable(MarkerVariable), error, () => Block(released))
            : null;

    private static void Block(WaitHandle? released)
    {
        if (released is null)
        {
            Thread.Sleep(Timeout.Infinite);
        }
        else
        {
            released.WaitOne();
        }
    }

    /// <summary>The hook for a <c>VFIOCTL_PAUSE_AT</c> value; <paramref name="block"/> is what "stay here" means.</summary>
    internal static Action<MigrationCheckpoint>? Create(string? pauseAt, string? marker, TextWriter error, Action block)
    {
        if (string.IsNullOrWhiteSpace(pauseAt))
        {
            return null;
        }
        string[] parts = pauseAt.Split('#', 2, StringSplitOptions.TrimEntries);
        int wanted = 1;
        if (!Enum.TryParse(parts[0], ignoreCase: true, out MigrationCheckpoint point) || !Enum.IsDefined(point)
            || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out wanted) || wanted < 1)))
        {
            throw new Vfio.Errors.VfioException(Vfio.Errors.ErrorCode.UsageError,
                $"{PauseAtVariable}='{pauseAt}' names no checkpoint; expected <checkpoint>[#n] with one of {string.Join(", ", Enum.GetNames<MigrationCheckpoint>())}")
            {
                Value = pauseAt,
            };
        }
        int seen = 0;
        return reached =>
        {
            if (reached != point || Interlocked.Increment(ref seen) != wanted)
            {
                return;
            }
            string line = $"paused at {reached}#{wanted} pid {Environment.ProcessId}";
            if (string.IsNullOrEmpty(marker))
            {
                error.WriteLine("vfioctl: " + line);
                error.Flush();
            }
            else
            {
                // Written beside and renamed, so the harness never reads a half-written marker.
                string temporary = marker + ".tmp";
                File.WriteAllText(temporary, line + "\n");
                File.Move(temporary, marker, overwrite: true);
            }
            block();
        };
    }
}
