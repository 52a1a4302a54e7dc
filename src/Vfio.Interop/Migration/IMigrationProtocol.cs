using Vfio.Devices;

namespace Vfio.Migration;

/// <summary>
/// One migration protocol seen as the v2 state machine: the driver loop in <see cref="MigrationDriver"/> plans the
/// arcs and calls <see cref="Step"/> once per direct arc, whichever protocol is underneath.
/// </summary>
internal interface IMigrationProtocol
{
    MigrationProtocolKind Kind { get; }

    /// <summary>The flags the path planner uses: the device's own for v2; STOP_COPY|PRE_COPY for v1.</summary>
    MigrationFeatures Features { get; }

    /// <summary>The device's current state; ERROR included.</summary>
    MigrationState GetState();

    /// <summary>Takes exactly one direct arc; returns the data session the arc opens, or null.</summary>
    MigrationDataStream? Step(MigrationState from, MigrationState next);

    /// <summary>The device's estimate of the STOP_COPY data still to come.</summary>
    ulong GetStopCopySize();
}
