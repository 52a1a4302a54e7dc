using Vfio.Devices;

namespace Vfio.Conformance;

/// <summary>The names of the conformance kit's checks, stable for scripts and tests (docs/conformance.md explains each).</summary>
public static class ConformanceChecks
{
    /// <summary>The device speaks a migration protocol; which one and with which flags.</summary>
    public const string MigrationProtocol = "migration-protocol";

    /// <summary>The device starts in RUNNING, as the kit requires.</summary>
    public const string StartsRunning = "starts-running";

    /// <summary>The arcs that start a data session return a data_fd; no other arc does.</summary>
    public const string DataFdPerArc = "data-fd-per-arc";

    /// <summary>Every other pair of states is reached with one SET (the kernel's combination arcs), with a data_fd exactly
    /// when the path's last arc opens a session.</summary>
    public const string CombinationArcs = "combination-arcs";

    /// <summary>STOP_COPY data ends: read() returns 0, again and again, and never ENOMSG.</summary>
    public const string StopCopyEof = "stop-copy-eof";

    /// <summary>A data_fd delivers nothing (and accepts nothing) once the arc that ends its session was taken.</summary>
    public const string DataFdEndsWithSession = "data-fd-ends-with-session";

    /// <summary>The STOP_COPY data is no larger than MIG_DATA_SIZE said just before (twice that is a warning).</summary>
    public const string MigDataSize = "mig-data-size";

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO: initial_bytes starts non-zero, falls as data is read, never grows, reaches 0.</summary>
    public const string PrecopyInfoSane = "precopy-info";

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO fails outside PRE_COPY and PRE_COPY_P2P.</summary>
    public const string PrecopyInfoOutsidePreCopy = "precopy-info-outside-precopy";

    /// <summary>The pre-copy temporary end of stream is ENOMSG (0 is a warning).</summary>
    public const string PrecopyEndOfStream = "precopy-end-of-stream";

    /// <summary>SET of ERROR, of a number that is no state, or of a state the flags lack fails.</summary>
    public const string ArcsOutsideTableRefused = "arcs-outside-table-refused";

    /// <summary>A refused SET leaves the device in the state it was in.</summary>
    public const string RefusedArcKeepsState = "refused-arc-keeps-state";

    /// <summary>STOP_COPY to PRE_COPY(_P2P) is refused in user space (E4005) and never reaches the device.</summary>
    public const string UnsafeArcRefusedInUserSpace = "unsafe-arc-refused-in-user-space";

    /// <summary>Garbage written in RESUMING is refused by the write or by RESUMING to STOP; the device never runs it.</summary>
    public const string ResumingRejectsGarbage = "resuming-rejects-garbage";

    /// <summary>The device's own stream, written in pieces of odd sizes, loads as it does in one write.</summary>
    public const string ResumingAnySegmentation = "resuming-any-segmentation";

    /// <summary>A truncated stream is refused the same way.</summary>
    public const string ResumingRejectsTruncated = "resuming-rejects-truncated";

    /// <summary>VFIO_DEVICE_RESET returns the device to RUNNING from every state the kit reached.</summary>
    public const string ResetReturnsRunning = "reset-returns-running";

    /// <summary>A device in ERROR leaves it by VFIO_DEVICE_RESET, to RUNNING.</summary>
    public const string ErrorRecoveredByReset = "error-recovered-by-reset";

    /// <summary>Streams saved by older builds still load.</summary>
    public const string SavedStreamsLoad = "saved-streams-load";

    /// <summary>The device's own stream loads back, and it runs again.</summary>
    public const string RoundTrip = "round-trip";

    /// <summary>The device ends in RUNNING with the state it had at the start reloaded.</summary>
    public const string DeviceLeftRunning = "device-left-running";

    /// <summary>The name of the check for one direct arc, e.g. <c>arc:STOP->STOP_COPY</c>.</summary>
    /// <param name="from">The state the arc leaves.</param>
    /// <param name="to">The state it enters.</param>
    /// <returns>The check's name.</returns>
    public static string Arc(MigrationState from, MigrationState to) => $"arc:{StateName(from)}->{StateName(to)}";

    /// <summary>The kernel's spelling of migration flags (<c>VFIO_MIGRATION_</c> omitted), e.g. <c>STOP_COPY|P2P|PRE_COPY</c>.</summary>
    /// <param name="features">The flags.</param>
    /// <returns>The names joined by <c>|</c>; <c>none</c> when there are none.</returns>
    public static string FlagNames(MigrationFeatures features)
    {
        var names = new List<string>(3);
        if (features.HasFlag(MigrationFeatures.StopCopy))
        {
            names.Add("STOP_COPY");
        }
        if (features.HasFlag(MigrationFeatures.P2P))
        {
            names.Add("P2P");
        }
        if (features.HasFlag(MigrationFeatures.PreCopy))
        {
            names.Add("PRE_COPY");
        }
        return names.Count == 0 ? "none" : string.Join("|", names);
    }

    /// <summary>The kernel's spelling of a state (<c>VFIO_DEVICE_STATE_</c> omitted), e.g. <c>PRE_COPY_P2P</c>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Its name, or the number for a value that is no state.</returns>
    public static string StateName(MigrationState state) => state switch
    {
        MigrationState.Error => "ERROR",
        MigrationState.Stop => "STOP",
        MigrationState.Running => "RUNNING",
        MigrationState.StopCopy => "STOP_COPY",
        MigrationState.Resuming => "RESUMING",
        MigrationState.RunningP2P => "RUNNING_P2P",
        MigrationState.PreCopy => "PRE_COPY",
        MigrationState.PreCopyP2P => "PRE_COPY_P2P",
        _ => ((uint)state).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
