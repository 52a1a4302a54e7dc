namespace Vfio.Manager.Migration;

/// <summary>Where a migration is, for progress reports.</summary>
public enum MigrationPhase
{
    /// <summary>Steps 1-2: model and configuration checks; nothing has moved.</summary>
    Checking = 1,

    /// <summary>Creating the destination device with the source's configuration.</summary>
    CreatingDestination = 2,

    /// <summary>Pre-copy rounds while the source runs.</summary>
    PreCopy = 3,

    /// <summary>The source is stopped and its remaining state is sent.</summary>
    StopCopy = 4,

    /// <summary>The destination is loading the received state.</summary>
    Loading = 5,

    /// <summary>Step 4: the destination resumes and the source stays stopped.</summary>
    Switchover = 6,

    /// <summary>A failure is being rolled back: the source resumes, the destination is reset.</summary>
    RollingBack = 7,

    /// <summary>The operation finished (see the outcome for how).</summary>
    Finished = 8,
}
