namespace Vfio.DeviceModels.Streams;

/// <summary>
/// One long-lived thread that runs a channel's blocking chunk writes (or reads) one at a time, so a multi-channel
/// transfer starts one thread per channel, not one per chunk. Starting a thread costs more than checksumming and
/// writing a 1 MiB chunk on a loaded host (its stack faults in page by page); docs/benchmarks.md, "Transport", has
/// the figures. The thread ends after a second without work, so an abandoned transfer leaves nothing behind, and it
/// is a background thread, so it never keeps a process alive.
/// </summary>
/// <remarks>At most one job waits at a time: the caller awaits a job's task before it posts the channel's next one
/// (records then go out in order and a buffer is never reused while in flight).</remarks>
internal sealed class ChunkWorker(string name, TimeSpan? idleExit = null)
{
    private readonly TimeSpan _idleExit = idleExit ?? TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private Action? _job;  // the posted job, null when none waits
    private bool _running; // a thread exists and will take the next job

    /// <summary>Threads this worker started so far (one for a busy transfer; one more after each idle exit).</summary>
    public int ThreadsStarted { get; private set; }

    /// <summary>Runs <paramref name="work"/> on the worker's thread, starting the thread if it has none.</summary>
    /// <returns>The work's result, its exception, or a cancelled task when <paramref name="cancellationToken"/> was
    /// cancelled before the work started.</returns>
    public Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Job()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.SetCanceled(cancellationToken);
                return;
            }
            try
            {
                done.SetResult(work());
            }
            catch (OperationCanceledException e)
            {
                done.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
        lock (_gate)
        {
            if (_job is not null)
            {
                throw new InvalidOperationException($"{name}: a chunk job is already waiting; await the previous one first");
            }
            _job = Job;
            if (_running)
            {
                Monitor.Pulse(_gate);
            }
            else
            {
                _running = true;
                ThreadsStarted++;
                new Thread(Loop) { IsBackground = true, Name = name }.Start();
            }
        }
        return done.Task;
    }

    private void Loop()
    {
        while (true)
        {
            Action job;
            lock (_gate)
            {
                while (_job is null)
                {
                    if (!Monitor.Wait(_gate, _idleExit) && _job is null)
                    {
                        _running = false;
                        return;
                    }
                }
                job = _job;
                _job = null;
            }
            job();
        }
    }
}
