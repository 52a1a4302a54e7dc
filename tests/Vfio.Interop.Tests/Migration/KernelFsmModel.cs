using Vfio.Devices;

namespace Vfio.Tests.Migration;

/// <summary>
/// The kernel's own planner, transcribed as data for the tests: <c>vfio_from_fsm_table</c> and
/// <c>state_flags_table</c> from <c>vfio_mig_get_next_state()</c> in drivers/vfio/vfio_main.c, walked with the
/// kernel's algorithm including its "skip unsupported intermediate states" loop. It is deliberately written in the
/// kernel's shape (a matrix indexed by state numbers), not in the shape of <c>MigrationArcs</c>, so the two can
/// disagree.
/// </summary>
internal static class KernelFsmModel
{
    // Kernel enum values: ERROR=0 STOP=1 RUNNING=2 STOP_COPY=3 RESUMING=4 RUNNING_P2P=5 PRE_COPY=6 PRE_COPY_P2P=7.
    private const int ERROR = 0, STOP = 1, RUNNING = 2, STOP_COPY = 3, RESUMING = 4, RUNNING_P2P = 5, PRE_COPY = 6, PRE_COPY_P2P = 7;

    // vfio_from_fsm_table[cur][new]; columns in enum order ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P,
    // PRE_COPY, PRE_COPY_P2P.
    private static readonly int[,] FromFsmTable =
    {
        /* ERROR */        { ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR },
        /* STOP */         { ERROR, STOP, RUNNING_P2P, STOP_COPY, RESUMING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P },
        /* RUNNING */      { ERROR, RUNNING_P2P, RUNNING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P, PRE_COPY, RUNNING_P2P },
        /* STOP_COPY */    { ERROR, STOP, STOP, STOP_COPY, STOP, STOP, ERROR, ERROR },
        /* RESUMING */     { ERROR, STOP, STOP, STOP, RESUMING, STOP, STOP, STOP },
        /* RUNNING_P2P */  { ERROR, STOP, RUNNING, STOP, STOP, RUNNING_P2P, RUNNING, PRE_COPY_P2P },
        /* PRE_COPY */     { ERROR, RUNNING, RUNNING, PRE_COPY_P2P, RUNNING, RUNNING, PRE_COPY, PRE_COPY_P2P },
        /* PRE_COPY_P2P */ { ERROR, RUNNING_P2P, RUNNING_P2P, STOP_COPY, RUNNING_P2P, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P },
    };

    private const ulong STOP_COPY_F = 1, P2P_F = 2, PRE_COPY_F = 4;

    private static readonly ulong[] StateFlagsTable =
    [
        /* ERROR */ ~0UL,
        /* STOP */ STOP_COPY_F,
        /* RUNNING */ STOP_COPY_F,
        /* STOP_COPY */ STOP_COPY_F,
        /* RESUMING */ STOP_COPY_F,
        /* RUNNING_P2P */ STOP_COPY_F | P2P_F,
        /* PRE_COPY */ STOP_COPY_F | PRE_COPY_F,
        /* PRE_COPY_P2P */ STOP_COPY_F | P2P_F | PRE_COPY_F,
    ];

    /// <summary>What one call of the kernel's function does.</summary>
    internal enum Outcome
    {
        Next,
        Einval,
        LoopsForever,
    }

    /// <summary>One call of <c>vfio_mig_get_next_state(cur, new)</c> for a device with <paramref name="flags"/>.</summary>
    internal static (Outcome Outcome, MigrationState Next) GetNextState(MigrationState cur, MigrationState target, MigrationFeatures flags)
    {
        ulong f = (ulong)flags;
        int c = (int)cur, n = (int)target;
        if ((StateFlagsTable[c] & f) != StateFlagsTable[c])
        {
            return (Outcome.Einval, cur);
        }
        if ((StateFlagsTable[n] & f) != StateFlagsTable[n])
        {
            return (Outcome.Einval, cur);
        }
        int next = FromFsmTable[c, n];
        int guard = 0;
        while ((StateFlagsTable[next] & f) != StateFlagsTable[next])
        {
            next = FromFsmTable[next, n];
            if (++guard > 64)
            {
                // The kernel has no such guard: this is the soft lockup.
                return (Outcome.LoopsForever, cur);
            }
        }
        return next == ERROR ? (Outcome.Einval, cur) : (Outcome.Next, (MigrationState)next);
    }

    /// <summary>
    /// The kernel driver's loop for a combination arc: call the planner until the target is reached. Returns the
    /// states passed through, or the outcome that stopped the walk.
    /// </summary>
    internal static (Outcome Outcome, List<MigrationState> Path) Walk(MigrationState cur, MigrationState target, MigrationFeatures flags)
    {
        var path = new List<MigrationState>();
        (Outcome first, _) = GetNextState(cur, target, flags);
        if (first != Outcome.Next)
        {
            return (first, path);
        }
        while (cur != target)
        {
            (Outcome o, MigrationState next) = GetNextState(cur, target, flags);
            if (o != Outcome.Next)
            {
                return (o, path);
            }
            path.Add(next);
            cur = next;
            if (path.Count > 16)
            {
                return (Outcome.LoopsForever, path);
            }
        }
        return (Outcome.Next, path);
    }
}
