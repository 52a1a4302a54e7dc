using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

// The arc table: every direct arc, every combination, the refused SETs and the arc that must never be sent.
internal sealed partial class ConformanceRun
{
    /// <summary>Every direct arc the flags allow, each reached with one SET, with its data_fd rule.</summary>
    private void ArcTour()
    {
        foreach ((MigrationState from, MigrationState to) in DirectArcs())
        {
            string name = Arc(from, to);
            if (from == Resuming && _own is null)
            {
                _log.Skip(name, "leaving RESUMING needs a stream the device accepts, and none of its own could be saved");
                continue;
            }
            try
            {
                Reach(from);
                if (from == Resuming)
                {
                    Feed();
                }
            }
            catch (VfioException e)
            {
                _log.Fail(name, $"could not reach {StateName(from)} to try the arc: {e.Message}");
                Recover();
                continue;
            }
            TryArc(from, to, name);
        }
        Reach(Running);
    }

    private void TryArc(MigrationState from, MigrationState to, string name)
    {
        MigrationDataStream? kept = _session;
        MigrationDataStream? opened;
        try
        {
            opened = RawStep(to);
        }
        catch (VfioException e)
        {
            _log.Fail(name, $"SET {StateName(to)} in {StateName(from)} failed: {e.Message}");
            Recover();
            return;
        }
        MigrationState now = _stepper.State();
        _log.Expect(name, now == to, "reached with one SET", $"SET {StateName(to)} in {StateName(from)} succeeded but the device reports {StateName(now)}");
        bool expected = OpensSession(from, to);
        if (V2)
        {
            _log.Expect(DataFdPerArc, (opened is not null) == expected,
                "a data_fd exactly on the arcs into PRE_COPY, PRE_COPY_P2P, STOP_COPY (from outside the saving group) and RESUMING",
                expected
                    ? $"{StateName(from)} -> {StateName(to)} returned no data_fd; vfio.h: this arc starts a data transfer session and returns a new data_fd"
                    : $"{StateName(from)} -> {StateName(to)} returned a data_fd; vfio.h: moving within the saving group keeps the session's fd, other arcs return none");
        }
        Adopt(from, to, opened);
        if (to == StopCopy && from is PreCopy or PreCopyP2P && kept is not null && ReferenceEquals(kept, _session))
        {
            // The pre-copy session carries on into STOP_COPY and must end there.
            if (ReadToEnd(kept, Limit(null), $"{StateName(from)} -> STOP_COPY (the pre-copy data_fd)") is { } rest)
            {
                _log.Pass(StopCopyEof, $"the pre-copy data_fd, carried into STOP_COPY by {StateName(from)} -> STOP_COPY, ended after {rest.Length} bytes");
            }
        }
    }

    /// <summary>
    /// vfio.h: "The remaining possible transitions are interpreted as combinations of the above FSM arcs", along the
    /// shortest path (vfio_mig_get_next_state), invisibly to the user. One SET of every other pair reaches the target;
    /// only the path's last arc decides whether a data_fd comes back. STOP_COPY -> PRE_COPY(_P2P) is never sent.
    /// </summary>
    private void CombinationArcTour()
    {
        if (!V2)
        {
            return;
        }
        int reached = 0;
        foreach (MigrationState from in States.Where(s => MigrationArcs.IsSupported(s, _features)))
        {
            foreach (MigrationState to in States.Where(s => s != from && MigrationArcs.IsSupported(s, _features) && !MigrationArcs.IsDirectArc(from, s, _features)))
            {
                if ((from == StopCopy && to is PreCopy or PreCopyP2P) || (from == Resuming && _own is null))
                {
                    continue;
                }
                if (TryCombination(from, to))
                {
                    reached++;
                }
            }
        }
        if (reached > 0 && !_log.HasFailed(CombinationArcs))
        {
            _log.Pass(CombinationArcs, $"{reached} combination arcs, each reached with one SET, with a data_fd exactly when the last arc of the path opens a session");
        }
        Reach(Running);
    }

    private bool TryCombination(MigrationState from, MigrationState to)
    {
        string request = $"SET {StateName(to)} in {StateName(from)}";
        Reach(from);
        if (from == Resuming)
        {
            Feed();
        }
        IReadOnlyList<MigrationState> path = MigrationArcs.PlanPath(from, to, _features);
        MigrationState last = path.Count > 1 ? path[^2] : from;
        MigrationDataStream? opened;
        try
        {
            opened = RawStep(to);
        }
        catch (VfioException e)
        {
            _log.Fail(CombinationArcs, $"{request} failed: {e.Message}; vfio.h: the driver takes such a transition as the arcs of its shortest path");
            Recover();
            return false;
        }
        MigrationState now = _stepper.State();
        bool expected = OpensSession(last, to);
        Adopt(last, to, opened);
        if (now != to)
        {
            _log.Fail(CombinationArcs, $"{request} succeeded but the device reports {StateName(now)}");
            return false;
        }
        if ((opened is not null) != expected)
        {
            _log.Fail(CombinationArcs, $"{request} {(expected ? "returned no data_fd although" : "returned a data_fd although no")} session starts on its last arc {StateName(last)} -> {StateName(to)}");
            return false;
        }
        return true;
    }

    /// <summary>
    /// v2: SET of ERROR ("cannot be specified as a device state"), of numbers that are no state, and of the optional
    /// states the flags lack ("cannot be used with SET_STATE if the device does not support them") must fail, and
    /// leave the device where it was: no path leads to such a state, so no arc of one may be taken.
    /// </summary>
    private void Refusals()
    {
        if (!V2)
        {
            return;
        }
        var targets = new List<MigrationState> { Error, (MigrationState)uint.MaxValue };
        if ((_features & ~(MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy)) == 0)
        {
            // The first number after the last state; a device with flags newer than this kit may have a state 8.
            targets.Add((MigrationState)8);
        }
        targets.AddRange(new[] { RunningP2P, PreCopy, PreCopyP2P }.Where(s => !MigrationArcs.IsSupported(s, _features)));
        foreach (MigrationState origin in new[] { Running, Stop })
        {
            foreach (MigrationState target in targets)
            {
                Reach(origin);
                Refuse(origin, target);
            }
        }
        Reach(Running);
    }

    private void Refuse(MigrationState origin, MigrationState target)
    {
        string request = $"SET {StateName(target)} in {StateName(origin)}";
        try
        {
            RawStep(target)?.Dispose();
            _log.Fail(ArcsOutsideTableRefused, $"{request} succeeded; vfio.h: ERROR and states the device lacks cannot be set, and the arc table has no such arc");
            Recover();
            return;
        }
        catch (VfioException e)
        {
            _log.Pass(ArcsOutsideTableRefused, $"SET of ERROR, of 8 and 0xffffffff{(_features == (MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy) ? "" : " and of the states the flags lack")} refused ({Short(e)})");
        }
        MigrationState after = _stepper.State();
        if (after == origin)
        {
            _log.Pass(RefusedArcKeepsState, "every refused SET left the device in the state it was in");
            return;
        }
        if (after == Error)
        {
            // vfio.h lets any failed request end in ERROR ("any -> ERROR"), though here no arc was even attempted.
            _log.Warn(RefusedArcKeepsState, $"after the refused {request} the device is in ERROR; vfio.h allows ERROR after any failed request, " +
                "but no arc leads to the requested state, so there was nothing to fail and the device should have stayed where it was");
        }
        else
        {
            _log.Fail(RefusedArcKeepsState, $"after the refused {request} the device is in {StateName(after)}; no arc leads to {StateName(target)}, " +
                "so a failed SET may leave it only where it was (or in ERROR)");
        }
        Recover();
    }

    /// <summary>
    /// The device is in STOP_COPY: asking <see cref="MigrationDriver"/> for PRE_COPY or PRE_COPY_P2P must fail with E4005
    /// before anything reaches the device, and leave it in STOP_COPY.
    /// </summary>
    private void CheckUnsafeArcs()
    {
        var counting = new SetCountingDevice(_device);
        MigrationDriver driver = MigrationDriver.Open(counting);
        foreach (MigrationState target in new[] { PreCopy, PreCopyP2P }.Where(s => MigrationArcs.IsSupported(s, _features)))
        {
            string arc = $"STOP_COPY -> {StateName(target)}";
            int before = counting.StateChanges;
            try
            {
                driver.TransitionTo(target)?.Dispose();
                _log.Fail(UnsafeArcRefusedInUserSpace, $"{arc} was sent to the device; it must be refused in user space (it hangs 6.x kernels)");
                return;
            }
            catch (VfioException e) when (e.Code == ErrorCode.UnsafeStateArc)
            {
                int sent = counting.StateChanges - before;
                MigrationState now = _stepper.State();
                _log.Expect(UnsafeArcRefusedInUserSpace, sent == 0 && now == StopCopy,
                    $"{arc} refused with {ErrorCatalogue.Id(e.Code)} in user space; nothing reached the device",
                    $"{arc} was refused with {ErrorCatalogue.Id(e.Code)} but {sent} state change(s) reached the device, now in {StateName(now)}");
            }
            catch (VfioException e)
            {
                _log.Fail(UnsafeArcRefusedInUserSpace, $"{arc} failed with {ErrorCatalogue.Id(e.Code)} instead of {ErrorCatalogue.Id(ErrorCode.UnsafeStateArc)}: {e.Message}");
            }
        }
    }
}
