namespace Vfio.Manager.Migration;

/// <summary>
/// The points of a save, load or migration at which <see cref="MigrationOrchestrator.Checkpoint"/> is called: the
/// places where a process that dies leaves a distinct picture behind (what the fault matrix of docs/reliability.md
/// kills the CLI at). Each is reached after the step it names has taken effect.
/// </summary>
public enum MigrationCheckpoint
{
    /// <summary>The source is open, found RUNNING, and the migration journal is written; no state has moved.</summary>
    SourceOpened = 1,

    /// <summary>The stream envelope's header is written; the source still runs untouched.</summary>
    StreamHeaderWritten = 2,

    /// <summary>The source entered PRE_COPY (still running, its data session open).</summary>
    PreCopyStarted = 3,

    /// <summary>A pre-copy round was sent.</summary>
    PreCopyRound = 4,

    /// <summary>The source entered STOP_COPY: it no longer runs.</summary>
    StopCopyEntered = 5,

    /// <summary>A chunk of device data was written into the stream.</summary>
    StreamChunkWritten = 6,

    /// <summary>The stream's end record is written: the whole state left the source.</summary>
    StreamComplete = 7,

    /// <summary>The destination device was created (load or migrate with a new device).</summary>
    DestinationCreated = 8,

    /// <summary>The destination entered RESUMING (the stream header was accepted).</summary>
    ResumingEntered = 9,

    /// <summary>The destination loaded the state (RESUMING -> STOP) and does not run yet.</summary>
    DestinationLoaded = 10,

    /// <summary>The source is in STOP (after a save, or at switchover before the destination runs).</summary>
    SourceStopped = 11,

    /// <summary>The destination runs; only the journal's removal is left.</summary>
    DestinationRunning = 12,
}
