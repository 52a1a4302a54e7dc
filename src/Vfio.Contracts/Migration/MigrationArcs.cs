using System.Collections.Frozen;
using Vfio.Devices;
using Vfio.Errors;
using static Vfio.Devices.MigrationState;

namespace Vfio.Migration;

/// <summary>
/// The v2 migration state machine as data: which arcs a device takes in one SET, and which single arc comes
/// next on the way from one state to another. This is the user-space twin of the kernel's
/// <c>vfio_mig_get_next_state()</c> (drivers/vfio/vfio_main.c), so a path planned here is the path the kernel
/// itself would walk for a combination arc, one arc per SET.
/// </summary>
/// <remarks>
/// <para>
/// Two tables, written independently of each other: <see cref="IsDirectArc"/> lists the arcs the kernel requires
/// a driver to implement for each flag combination (the comment above <c>vfio_from_fsm_table</c>), and the route
/// table lists, for every pair of states, the path the kernel takes on a device with every optional feature
/// (the header's "combination transitions"). With fewer features the kernel skips the states the device lacks,
/// so the next step is the first state on the full route that the device supports.
/// </para>
/// <para>
/// STOP_COPY to PRE_COPY or PRE_COPY_P2P is refused with <see cref="ErrorCode.UnsafeStateArc"/> when both states
/// exist on the device. The kernel's table maps that pair to ERROR, and its "skip unsupported states" loop then
/// never ends (ERROR's flags are never all set), a soft lockup in the kernel: such a request must never be sent.
/// No other pair reaches that loop: no route passes through STOP_COPY towards a PRE_COPY state, and every other
/// pair whose states are supported resolves to a real state. Where a state is unsupported the kernel answers
/// EINVAL before it loops, and so does this class, with <see cref="ErrorCode.IllegalStateArc"/>.
/// </para>
/// </remarks>
public static class MigrationArcs
{
    // One arc a driver must implement, and the flags under which it must (the vfio_mig_get_next_state comment).
    private readonly record struct Arc(MigrationState From, MigrationState To, MigrationFeatures Requires, MigrationFeatures Excludes);

    private static readonly Arc[] Arcs =
    [
        // Always, with VFIO_MIGRATION_STOP_COPY.
        new(Resuming, Stop, MigrationFeatures.None, MigrationFeatures.None),
        new(Stop, Resuming, MigrationFeatures.None, MigrationFeatures.None),
        new(Stop, StopCopy, MigrationFeatures.None, MigrationFeatures.None),
        new(StopCopy, Stop, MigrationFeatures.None, MigrationFeatures.None),

        // Without P2P the running and stopped states meet directly; with P2P they meet through RUNNING_P2P.
        new(Running, Stop, MigrationFeatures.None, MigrationFeatures.P2P),
        new(Stop, Running, MigrationFeatures.None, MigrationFeatures.P2P),
        new(Running, RunningP2P, MigrationFeatures.P2P, MigrationFeatures.None),
        new(RunningP2P, Running, MigrationFeatures.P2P, MigrationFeatures.None),
        new(RunningP2P, Stop, MigrationFeatures.P2P, MigrationFeatures.None),
        new(Stop, RunningP2P, MigrationFeatures.P2P, MigrationFeatures.None),

        // PRE_COPY; without P2P it ends straight in STOP_COPY, with P2P through PRE_COPY_P2P.
        new(Running, PreCopy, MigrationFeatures.PreCopy, MigrationFeatures.None),
        new(PreCopy, Running, MigrationFeatures.PreCopy, MigrationFeatures.None),
        new(PreCopy, StopCopy, MigrationFeatures.PreCopy, MigrationFeatures.P2P),
        new(PreCopy, PreCopyP2P, MigrationFeatures.PreCopy | MigrationFeatures.P2P, MigrationFeatures.None),
        new(PreCopyP2P, PreCopy, MigrationFeatures.PreCopy | MigrationFeatures.P2P, MigrationFeatures.None),
        new(PreCopyP2P, RunningP2P, MigrationFeatures.PreCopy | MigrationFeatures.P2P, MigrationFeatures.None),
        new(PreCopyP2P, StopCopy, MigrationFeatures.PreCopy | MigrationFeatures.P2P, MigrationFeatures.None),
        new(RunningP2P, PreCopyP2P, MigrationFeatures.PreCopy | MigrationFeatures.P2P, MigrationFeatures.None),
    ];

    // The full-feature route for every ordered pair of distinct states, first state included. Pairs of adjacent
    // states are the direct arcs; the longer ones are the header's "combination transitions". The two blocked
    // pairs (STOP_COPY -> PRE_COPY, STOP_COPY -> PRE_COPY_P2P) have no route.
    private static readonly MigrationState[][] Routes =
    [
        [Stop, RunningP2P],
        [Stop, RunningP2P, Running],
        [Stop, StopCopy],
        [Stop, Resuming],
        [Stop, RunningP2P, PreCopyP2P],
        [Stop, RunningP2P, Running, PreCopy],

        [Running, RunningP2P],
        [Running, RunningP2P, Stop],
        [Running, RunningP2P, Stop, StopCopy],
        [Running, RunningP2P, Stop, Resuming],
        [Running, PreCopy],
        [Running, RunningP2P, PreCopyP2P],

        [RunningP2P, Stop],
        [RunningP2P, Running],
        [RunningP2P, Stop, StopCopy],
        [RunningP2P, Stop, Resuming],
        [RunningP2P, Running, PreCopy],
        [RunningP2P, PreCopyP2P],

        [StopCopy, Stop],
        [StopCopy, Stop, RunningP2P],
        [StopCopy, Stop, RunningP2P, Running],
        [StopCopy, Stop, Resuming],

        [Resuming, Stop],
        [Resuming, Stop, RunningP2P],
        [Resuming, Stop, RunningP2P, Running],
        [Resuming, Stop, StopCopy],
        [Resuming, Stop, RunningP2P, PreCopyP2P],
        [Resuming, Stop, RunningP2P, Running, PreCopy],

        [PreCopy, Running],
        [PreCopy, PreCopyP2P],
        [PreCopy, PreCopyP2P, StopCopy],
        [PreCopy, Running, RunningP2P],
        [PreCopy, Running, RunningP2P, Stop],
        [PreCopy, Running, RunningP2P, Stop, Resuming],

        [PreCopyP2P, PreCopy],
        [PreCopyP2P, RunningP2P],
        [PreCopyP2P, StopCopy],
        [PreCopyP2P, RunningP2P, Running],
        [PreCopyP2P, RunningP2P, Stop],
        [PreCopyP2P, RunningP2P, Stop, Resuming],
    ];

    private static readonly FrozenDictionary<(MigrationState, MigrationState), MigrationState[]> RouteByPair =
        Routes.ToFrozenDictionary(r => (r[0], r[^1]));

    /// <summary>Whether a device with <paramref name="features"/> has <paramref name="state"/>.</summary>
    /// <param name="state">The state.</param>
    /// <param name="features">The device's <c>VFIO_DEVICE_FEATURE_MIGRATION</c> flags.</param>
    /// <returns>
    /// False for ERROR (never a state one can ask for), for every state when STOP_COPY is missing, for
    /// RUNNING_P2P without P2P, for PRE_COPY without PRE_COPY and for PRE_COPY_P2P without both.
    /// </returns>
    public static bool IsSupported(MigrationState state, MigrationFeatures features)
    {
        if (!features.HasFlag(MigrationFeatures.StopCopy))
        {
            return false;
        }
        return state switch
        {
            Stop or Running or StopCopy or Resuming => true,
            RunningP2P => features.HasFlag(MigrationFeatures.P2P),
            PreCopy => features.HasFlag(MigrationFeatures.PreCopy),
            PreCopyP2P => features.HasFlag(MigrationFeatures.PreCopy | MigrationFeatures.P2P),
            _ => false,
        };
    }

    /// <summary>
    /// Whether a device with <paramref name="features"/> takes the arc <paramref name="from"/> to
    /// <paramref name="to"/> in one SET: the arcs the kernel requires a driver to implement for those flags.
    /// </summary>
    /// <param name="from">The state the device is in.</param>
    /// <param name="to">The state asked for.</param>
    /// <param name="features">The device's migration flags.</param>
    /// <returns>True for a direct arc; false for combinations, unsupported states and anything touching ERROR.</returns>
    public static bool IsDirectArc(MigrationState from, MigrationState to, MigrationFeatures features)
    {
        if (!IsSupported(from, features) || !IsSupported(to, features))
        {
            return false;
        }
        foreach (Arc arc in Arcs)
        {
            if (arc.From == from && arc.To == to)
            {
                return (features & arc.Requires) == arc.Requires && (features & arc.Excludes) == 0;
            }
        }
        return false;
    }

    /// <summary>
    /// The next single arc from <paramref name="current"/> towards <paramref name="target"/>, as the kernel's
    /// <c>vfio_mig_get_next_state()</c> computes it, or <paramref name="target"/> itself when already there.
    /// </summary>
    /// <param name="current">The state the device is in.</param>
    /// <param name="target">The state to reach.</param>
    /// <param name="features">The device's migration flags.</param>
    /// <returns>The next state; a direct arc from <paramref name="current"/>.</returns>
    /// <exception cref="VfioException">
    /// <see cref="ErrorCode.IllegalStateArc"/> when either state is ERROR or unsupported by
    /// <paramref name="features"/>; <see cref="ErrorCode.UnsafeStateArc"/> for STOP_COPY to PRE_COPY or
    /// PRE_COPY_P2P (see the remarks on <see cref="MigrationArcs"/>).
    /// </exception>
    public static MigrationState NextStep(MigrationState current, MigrationState target, MigrationFeatures features)
    {
        if (!TryNextStep(current, target, features, out MigrationState next, out ErrorCode refusal))
        {
            throw Refusal(refusal, current, target, features);
        }
        return next;
    }

    /// <summary>The same as <see cref="NextStep"/>, reporting a refusal as a code instead of an exception.</summary>
    /// <param name="current">The state the device is in.</param>
    /// <param name="target">The state to reach.</param>
    /// <param name="features">The device's migration flags.</param>
    /// <param name="next">The next state when the call returns true.</param>
    /// <param name="refusal">
    /// <see cref="ErrorCode.IllegalStateArc"/> or <see cref="ErrorCode.UnsafeStateArc"/> when the call returns false.
    /// </param>
    /// <returns>True when there is a next state.</returns>
    public static bool TryNextStep(MigrationState current, MigrationState target, MigrationFeatures features,
        out MigrationState next, out ErrorCode refusal)
    {
        next = current;
        refusal = default;
        if (!IsSupported(current, features) || !IsSupported(target, features))
        {
            refusal = ErrorCode.IllegalStateArc;
            return false;
        }
        if (current == target)
        {
            return true;
        }
        if (!RouteByPair.TryGetValue((current, target), out MigrationState[]? route))
        {
            // Only the blocked pairs have no route.
            refusal = ErrorCode.UnsafeStateArc;
            return false;
        }
        // The kernel skips the states the device lacks; the target itself is supported, so this finds one.
        for (int i = 1; i < route.Length; i++)
        {
            if (IsSupported(route[i], features))
            {
                next = route[i];
                return true;
            }
        }
        throw new InvalidOperationException("unreachable: a route ends at its supported target");
    }

    /// <summary>
    /// Every state the device passes through from <paramref name="current"/> to <paramref name="target"/>, one
    /// direct arc each, <paramref name="target"/> last; empty when already there. Planning the whole path first
    /// lets a caller refuse before it changes anything on the device.
    /// </summary>
    /// <param name="current">The state the device is in.</param>
    /// <param name="target">The state to reach.</param>
    /// <param name="features">The device's migration flags.</param>
    /// <returns>The states after <paramref name="current"/>, in order.</returns>
    /// <exception cref="VfioException">As for <see cref="NextStep"/>.</exception>
    public static IReadOnlyList<MigrationState> PlanPath(MigrationState current, MigrationState target, MigrationFeatures features)
    {
        var path = new List<MigrationState>(4);
        MigrationState at = current;
        while (at != target)
        {
            at = NextStep(at, target, features);
            path.Add(at);
        }
        // A step out of the current state is checked for supported states even when there is nothing to do.
        if (path.Count == 0)
        {
            NextStep(current, target, features);
        }
        return path;
    }

    private static VfioException Refusal(ErrorCode code, MigrationState current, MigrationState target, MigrationFeatures features)
    {
        string message = code == ErrorCode.UnsafeStateArc
            ? $"the arc {current} -> {target} is refused: the kernel does not permit it and its planner never returns " +
              "for it (vfio_mig_get_next_state loops on ERROR); expected a target reachable from STOP_COPY " +
              "(STOP, RUNNING, RUNNING_P2P or RESUMING)"
            : $"the arc {current} -> {target} is not allowed on a device with migration flags {features}: " +
              $"expected two states among {string.Join(", ", Enum.GetValues<MigrationState>().Where(s => IsSupported(s, features)))}";
        return new VfioException(code, message)
        {
            Value = $"{current} -> {target}",
            Expected = code == ErrorCode.UnsafeStateArc ? "STOP, RUNNING, RUNNING_P2P or RESUMING" : $"states supported by {features}",
        };
    }
}
