using Vfio.Devices;
using Vfio.Errors;
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
            throw InteropErrors.StillInErrorAfterReset(_device.Name);

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

    private static string Short(VfioException e) => e is VfioErrnoException errno ? errno.ErrnoName : ErrorCatalogue.Id(e.Code);
}
