using Vfio.Devices;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

/// <summary>One run of the kit over one device: the session bookkeeping and the phases, in the order they run.</summary>
internal sealed partial class ConformanceRun
{
    private const int ChunkSize = 64 * 1024;
    private const long MinStreamLimit = 64L << 20;

    private static readonly MigrationState[] States = [Running, RunningP2P, Stop, StopCopy, Resuming, PreCopy, PreCopyP2P];

    private readonly IVfioDevice _device;
    private readonly ArcStepper _stepper;
    private MigrationFeatures _features;
    private readonly ConformanceOptions _options;
    private readonly CheckLog _log = new();
    // The data session of the state the device is in (saving group or RESUMING), and whether a RESUMING session got
    // the device's own stream (only then can RESUMING -> STOP succeed).
    private MigrationDataStream? _session;
    private bool _sessionFed;
    // The device's own state, saved first; loaded back at the end.
    private byte[]? _own;
    private bool _errorSeen;
    // The most data read from one session before it counts as endless: from the first estimate, at least 64 MiB.
    private long _streamLimit = MinStreamLimit;

    public ConformanceRun(IVfioDevice device, MigrationDriver driver, ConformanceOptions options)
    {
        _device = device;
        _stepper = ArcStepper.For(device, driver);
        _features = driver.Features;
        _options = options;
        if (options.MaxStreamBytes is long max)
        {
            _streamLimit = max;
        }
    }

    private bool V2 => _stepper.IsV2;

    private bool Has(MigrationFeatures feature) => (_features & feature) == feature;

    public IReadOnlyList<ConformanceCheck> Execute()
    {
        string? v1PreCopy = V2 ? null : ProbeV1PreCopy();
        DeclareAll();
        _log.Pass(MigrationProtocol, V2
            ? $"v2 (VFIO_DEVICE_FEATURE_MIGRATION), flags {FlagNames(_features)}"
            : "v1 migration region (Linux 5.8-5.17): the arcs, STOP_COPY end of stream, loads and reset are checked; " +
              $"data_fd, MIG_DATA_SIZE, PRECOPY_INFO and SET refusals are v2 only; {v1PreCopy}");
        try
        {
            Phase(StopCopyEof, SaveOwnState);
            Phase(DataFdPerArc, ArcTour);
            Phase(CombinationArcs, CombinationArcTour);
            Phase(DataFdEndsWithSession, SessionEnds);
            Phase(PrecopyInfoSane, PreCopyPhase);
            Phase(ArcsOutsideTableRefused, Refusals);
            Phase(ResumingRejectsGarbage, RefusedLoads);
            Phase(ResumingAnySegmentation, SegmentedLoad);
            Phase(ResetReturnsRunning, ResetFromEveryState);
            Phase(SavedStreamsLoad, LoadSavedStreams);
        }
        finally
        {
            Restore();
        }
        return _log.Results();
    }

    private void DeclareAll()
    {
        _log.Declare(MigrationProtocol);
        foreach ((MigrationState from, MigrationState to) in DirectArcs())
        {
            _log.Declare(Arc(from, to));
        }
        foreach (string check in new[]
        {
            DataFdPerArc, CombinationArcs, StopCopyEof, DataFdEndsWithSession, MigDataSize, PrecopyInfoSane, PrecopyInfoOutsidePreCopy, PrecopyEndOfStream,
            ArcsOutsideTableRefused, RefusedArcKeepsState, UnsafeArcRefusedInUserSpace, ResumingRejectsGarbage, ResumingRejectsTruncated, ResumingAnySegmentation,
            ResetReturnsRunning, ErrorRecoveredByReset, SavedStreamsLoad, RoundTrip, DeviceLeftRunning,
        })
        {
            _log.Declare(check);
        }
        if (!V2)
        {
            const string v1 = "v1 protocol: data moves through the migration region, there is no data_fd";
            _log.Skip(DataFdPerArc, v1);
            _log.Skip(DataFdEndsWithSession, v1);
            _log.Skip(CombinationArcs, "v1 protocol: the driver plans the path and writes device_state once per arc");
            _log.Skip(MigDataSize, "v1 protocol: no MIG_DATA_SIZE (pending_bytes counts the piece being read, not the whole stream)");
            _log.Skip(PrecopyInfoSane, "v1 protocol: no VFIO_MIG_GET_PRECOPY_INFO");
            _log.Skip(PrecopyInfoOutsidePreCopy, "v1 protocol: no VFIO_MIG_GET_PRECOPY_INFO");
            _log.Skip(PrecopyEndOfStream, "v1 protocol: pending_bytes 0 is the only end of pre-copy data");
            _log.Skip(ArcsOutsideTableRefused, "v1 protocol: device_state values are validated in user space (VFIO_DEVICE_STATE_VALID) before they are written");
            _log.Skip(RefusedArcKeepsState, "v1 protocol: no invalid device_state is ever written");
        }
    }

    /// <summary>
    /// v1 has no flags: SAVING|RUNNING (pre-copy) is a valid device_state, but a device without pre-copy data may refuse
    /// it. One write tells; the kit then plans without PRE_COPY.
    /// </summary>
    private string ProbeV1PreCopy()
    {
        try
        {
            using MigrationDataStream? data = RawStep(PreCopy);
            RawStep(Running);
            return "SAVING|RUNNING (pre-copy) accepted";
        }
        catch (VfioException e)
        {
            if (_stepper.State() != Running)
            {
                _stepper.Reset();
            }
            _features &= ~MigrationFeatures.PreCopy;
            return $"SAVING|RUNNING (pre-copy) refused ({Short(e)}): checked without pre-copy";
        }
    }

    /// <summary>Runs a phase; a device failure nobody expected is that phase's failure, and the device is reset.</summary>
    private void Phase(string check, Action phase)
    {
        try
        {
            phase();
        }
        catch (VfioException e)
        {
            _log.Fail(check, $"the device failed a call the check needed: {e.Message}");
            Recover();
        }
    }

    // Every arc the kernel requires of a driver with these flags (MigrationArcs, the twin of vfio_mig_get_next_state).
    private IEnumerable<(MigrationState From, MigrationState To)> DirectArcs() =>
        from f in States
        from t in States
        where f != t && MigrationArcs.IsDirectArc(f, t, _features)
        select (f, t);

    /// <summary>STOP -> STOP_COPY from RUNNING, reading the whole stream: the device's own state, loaded back at the end.</summary>
    private void SaveOwnState()
    {
        Reach(Stop);
        ulong? estimate = Estimate(out string? noEstimate);
        MigrationDataStream? data = RawStep(StopCopy);
        if (data is null)
        {
            _log.Fail(StopCopyEof, "STOP -> STOP_COPY returned no data_fd, so there is no STOP_COPY data to read");
            RawStep(Stop);
            return;
        }
        using (data)
        {
            byte[]? stream = ReadToEnd(data, Limit(estimate), "STOP -> STOP_COPY");
            if (stream is not null)
            {
                _own = stream;
                _log.Pass(StopCopyEof, $"STOP_COPY data ended after {stream.Length} bytes; read() then kept returning 0");
                CheckDataSize(estimate, noEstimate, stream.Length);
            }
            RawStep(Stop);
        }
        Reach(Running);
    }

    private ulong? Estimate(out string? why)
    {
        why = null;
        if (!V2)
        {
            why = "v1 protocol: no MIG_DATA_SIZE";
            return null;
        }
        try
        {
            return _device.GetMigrationDataSize();
        }
        catch (VfioException e) when (e.Code == ErrorCode.FeatureUnsupported)
        {
            why = $"the device does not support VFIO_DEVICE_FEATURE_MIG_DATA_SIZE (optional, Linux 6.2+): {e.Message}";
            return null;
        }
    }

    private long Limit(ulong? estimate)
    {
        if (estimate is not ulong e)
        {
            return _streamLimit;
        }
        long fromEstimate = e < (ulong)Array.MaxLength / 8 ? (long)e * 8 : Array.MaxLength;
        _streamLimit = Math.Min(_options.MaxStreamBytes ?? Math.Max(MinStreamLimit, fromEstimate), Array.MaxLength);
        return _streamLimit;
    }

    // vfio.h: MIG_DATA_SIZE is "the estimated data length that will be required to complete stop copy". An estimate:
    // up to twice it (plus a page) is a warning, more is a failure (user space sizes buffers and downtime by it).
    private void CheckDataSize(ulong? estimate, string? noEstimate, long actual)
    {
        if (estimate is not ulong e)
        {
            _log.Skip(MigDataSize, noEstimate ?? "no estimate");
            return;
        }
        string facts = $"{actual} bytes of STOP_COPY data, MIG_DATA_SIZE said {e} just before";
        if ((ulong)actual <= e)
        {
            _log.Pass(MigDataSize, facts);
        }
        else if ((ulong)actual <= (2 * e) + 4096)
        {
            _log.Warn(MigDataSize, facts + ": larger than the estimate, within twice it plus a page");
        }
        else
        {
            _log.Fail(MigDataSize, facts + ": more than twice the estimate plus a page; user space sizes buffers and downtime by it");
        }
    }

    /// <summary>
    /// Reads STOP_COPY data to its end. vfio.h: end of stream is read() returning 0, always; ENOMSG "may not be returned
    /// in STOP_COPY". Returns the data, or null with the failure logged under <see cref="ConformanceChecks.StopCopyEof"/>.
    /// </summary>
    private byte[]? ReadToEnd(MigrationDataStream data, long limit, string arc, int[]? readSizes = null)
    {
        var buffer = new byte[ChunkSize];
        using var stream = new MemoryStream();
        for (int read = 0; ; read++)
        {
            int n;
            try
            {
                n = data.TryRead(readSizes is null ? buffer : buffer.AsSpan(0, readSizes[read % readSizes.Length]));
            }
            catch (VfioException e)
            {
                _log.Fail(StopCopyEof, $"after {arc}, read() failed after {stream.Length} bytes: {e.Message}");
                return null;
            }
            if (n < 0)
            {
                _log.Fail(StopCopyEof, $"after {arc}, read() failed with ENOMSG after {stream.Length} bytes; vfio.h: ENOMSG may not be returned in STOP_COPY");
                return null;
            }
            if (n == 0)
            {
                break;
            }
            stream.Write(buffer, 0, n);
            if (stream.Length > limit)
            {
                _log.Fail(StopCopyEof, $"after {arc}, no end of stream after {stream.Length} bytes (limit {limit}); vfio.h: end of stream on the data_fd means the whole state was transferred");
                return null;
            }
        }
        try
        {
            int again = data.TryRead(buffer);
            if (again != 0)
            {
                _log.Fail(StopCopyEof, $"after {arc}, read() returned {again} after the end of stream; vfio.h: once in STOP_COPY, read() always returns 0 at the end");
                return null;
            }
        }
        catch (VfioException e)
        {
            _log.Fail(StopCopyEof, $"after {arc}, read() after the end of stream failed: {e.Message}; vfio.h: it keeps returning 0");
            return null;
        }
        return stream.ToArray();
    }

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

    private static bool IsSaving(MigrationState s) => s is PreCopy or PreCopyP2P or StopCopy;

    // vfio.h: entering the saving group from outside it, or RESUMING, starts a session and returns a new data_fd.
    private static bool OpensSession(MigrationState from, MigrationState to) =>
        (IsSaving(to) && !IsSaving(from)) || to == Resuming;

    /// <summary>One SET (v2) or device_state write (v1), never STOP_COPY -> PRE_COPY(_P2P).</summary>
    private MigrationDataStream? RawStep(MigrationState next)
    {
        MigrationState at = _stepper.State();
        if (at == StopCopy && next is PreCopy or PreCopyP2P)
        {
            // The kernel's planner loops forever on this pair on 6.x kernels: the kit must never send it.
            throw new InvalidOperationException($"conformance kit bug: it was about to send STOP_COPY -> {StateName(next)}");
        }
        return _stepper.Step(next);
    }

    /// <summary>Keeps the session the device is in: a new fd replaces the old one, leaving the saving group or RESUMING ends it.</summary>
    private void Adopt(MigrationState from, MigrationState to, MigrationDataStream? opened)
    {
        if (opened is not null)
        {
            if (!ReferenceEquals(opened, _session))
            {
                _session?.Dispose();
            }
            _session = opened;
            _sessionFed = false;
        }
        else if (!(IsSaving(to) && IsSaving(from)))
        {
            CloseSession();
        }
    }

    private void CloseSession()
    {
        _session?.Dispose();
        _session = null;
        _sessionFed = false;
    }

    /// <summary>Writes the device's own stream into the RESUMING session, once.</summary>
    private void Feed()
    {
        if (!_sessionFed && _session is not null && _own is not null)
        {
            _session.Write(_own);
            _sessionFed = true;
        }
    }

    /// <summary>Walks the kernel's path to <paramref name="target"/>, one direct arc per step, around the unsafe arc.</summary>
    private void Reach(MigrationState target)
    {
        MigrationState at = _stepper.State();
        if (at == target)
        {
            return;
        }
        if (at == Error || (at == Resuming && _own is null))
        {
            ResetDevice();
            at = _stepper.State();
            if (at == target)
            {
                return;
            }
        }
        if (at == StopCopy && target is PreCopy or PreCopyP2P)
        {
            Adopt(at, Stop, RawStep(Stop));
            at = Stop;
        }
        foreach (MigrationState next in MigrationArcs.PlanPath(at, target, _features))
        {
            if (at == Resuming)
            {
                Feed();
            }
            Adopt(at, next, RawStep(next));
            at = next;
        }
    }

    private void ResetDevice()
    {
        CloseSession();
        _stepper.Reset();
        MigrationState after = _stepper.State();
        if (after == Error)
        {
            throw new VfioException(ErrorCode.DeviceInErrorState, $"{_device.Name}: still in ERROR after VFIO_DEVICE_RESET") { Device = _device.Name };
        }
    }

    /// <summary>After an unexpected failure: close the session and reset, so the next phase starts from RUNNING.</summary>
    private void Recover()
    {
        CloseSession();
        try
        {
            _stepper.Reset();
        }
        catch (VfioException e)
        {
            _log.Fail(ResetReturnsRunning, $"VFIO_DEVICE_RESET failed while recovering from a failed check: {e.Message}");
        }
    }

}
