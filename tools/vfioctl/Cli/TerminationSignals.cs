using System.Runtime.InteropServices;

namespace Vfio.Ctl.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP as the verbs that move device state see them. While such a verb runs
/// (<see cref="MoveState"/>), the first signal does not end the process: it cancels <see cref="Token"/>, and the verb rolls
/// back exactly as after a failure (source RUNNING, destination reset or removed) and exits with
/// <see cref="ExitCodes.Signalled"/>. A second signal while the rollback runs ends the process at once, as QEMU's
/// <c>migrate_cancel</c> aborts harder: the migration journal then keeps the entry, <c>list</c> shows it, and
/// <c>resume</c> or <c>abort</c> finish it. Outside such a verb a signal ends the process as usual.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly ManualResetEventSlim _cancelled = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TextWriter _error;
    private int _movingState;
    private int _received;

    private TerminationSignals(TextWriter error) => _error = error;

    /// <summary>Cancelled by the first signal that arrives while a verb moves state.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>
    /// Set once the cancellation has fully happened: after <see cref="Token"/> and every token linked to it (the verb's
    /// own, through <c>CliApplication</c>) are cancelled. The token's own wait handle is set before the linked tokens'
    /// callbacks run, so a thread woken by it could still see the verb's token uncancelled and go past the point of no
    /// return; a thread that must not (the checkpoint hook) waits for this instead.
    /// </summary>
    public WaitHandle Cancelled => _cancelled.WaitHandle;

    /// <summary>The signal that cancelled <see cref="Token"/>, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Signals that nothing raises: for a run inside a test process, whose own signals must stay its own.</summary>
    public static TerminationSignals None(TextWriter error) => new(error);

    /// <summary>Handles SIGINT, SIGTERM and SIGHUP in this process.</summary>
    public static TerminationSignals Register(TextWriter error)
    {
        var signals = new TerminationSignals(error);
        foreach (PosixSignal signal in (ReadOnlySpan<PosixSignal>)[PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP])
        {
            signals._registrations.Add(PosixSignalRegistration.Create(signal, signals.Handle));
        }
        return signals;
    }

    /// <summary>Marks the span in which a verb moves state: a signal then cancels instead of ending the process.</summary>
    public IDisposable MoveState()
    {
        Interlocked.Increment(ref _movingState);
        return new Scope(this);
    }

    /// <summary>What a signal does; <see cref="Register"/> calls it, tests may call it directly.</summary>
    /// <returns>True when the signal was taken as a cancellation (the process goes on and rolls back); false when the
    /// process should end as the signal's default action does.</returns>
    internal bool OnSignal(PosixSignal signal)
    {
        if (Volatile.Read(ref _movingState) == 0)
        {
            return false;
        }
        if (Interlocked.Increment(ref _received) > 1)
        {
            _error.WriteLine($"vfioctl: {Name(signal)} again: stopping now, without finishing the rollback; the migration journal keeps the entry ('vfioctl list' shows it, 'vfioctl resume' or 'abort' finish it)");
            _error.Flush();
            return false;
        }
        Received = signal;
        _error.WriteLine($"vfioctl: {Name(signal)}: cancelling; rolling back (source resumed, destination reset or removed). {Name(signal)} again stops at once, leaving the journal for 'vfioctl resume' or 'abort'.");
        _error.Flush();
        _cancellation.Cancel();
        _cancelled.Set();
        return true;
    }

    /// <summary>The signal's name as the shell prints it.</summary>
    public static string Name(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGHUP => "SIGHUP",
        _ => signal.ToString(),
    };

    /// <summary>The signal's number on Linux (the exit code is 128 plus it).</summary>
    public static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => 15,
    };

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
        _cancellation.Dispose();
        _cancelled.Dispose();
    }

    // Only ever sets Cancel: another registration (publish's own stop) may have cancelled the default action already,
    // and handlers share the context, so clearing it here would end a process that someone else chose to keep.
    private void Handle(PosixSignalContext context)
    {
        if (OnSignal(context.Signal))
        {
            context.Cancel = true;
        }
    }

    private sealed class Scope(TerminationSignals signals) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref signals._movingState);
            }
        }
    }
}
