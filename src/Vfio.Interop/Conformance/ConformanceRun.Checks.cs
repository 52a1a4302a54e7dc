using Vfio.Devices;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

internal sealed partial class ConformanceRun
{
    private const ulong Negative = 1UL << 63;

    /// <summary>
    /// vfio.h: STOP_COPY -> STOP, PRE_COPY -> RUNNING and PRE_COPY_P2P -> RUNNING_P2P end the saving session, RESUMING -> STOP
    /// ends the resuming one. Each is left with data still unread (or the stream written), then the old fd is tried.
    /// </summary>
    private void SessionEnds()
    {
        if (!V2)
        {
            return;
        }
        LeaveWithUnreadData(Stop, StopCopy, Stop);
        if (Has(MigrationFeatures.PreCopy))
        {
            LeaveWithUnreadData(Running, PreCopy, Running);
        }
        if (Has(MigrationFeatures.PreCopy | MigrationFeatures.P2P))
        {
            LeaveWithUnreadData(RunningP2P, PreCopyP2P, RunningP2P);
        }
        if (_own is not null)
        {
            Reach(Stop);
            MigrationDataStream? resuming = RawStep(Resuming);
            if (resuming is not null)
            {
                using (resuming)
                {
                    resuming.Write(_own);
                    RawStep(Stop);
                    ProbeWrite(resuming, "RESUMING -> STOP");
                }
            }
        }
        Reach(Running);
    }

    private void LeaveWithUnreadData(MigrationState origin, MigrationState saving, MigrationState back)
    {
        Reach(origin);
        MigrationDataStream? data = RawStep(saving);
        if (data is null)
        {
            // data-fd-per-arc has said so; there is no fd to try.
            RawStep(back);
            return;
        }
        using (data)
        {
            RawStep(back);
            string arc = $"{StateName(saving)} -> {StateName(back)}";
            ProbeRead(data, arc);
            if (saving is PreCopy or PreCopyP2P)
            {
                ProbePrecopyInfoFails(data, $"after {arc}");
            }
        }
    }

    private void ProbeRead(MigrationDataStream data, string arc)
    {
        var buffer = new byte[4096];
        try
        {
            int n = data.TryRead(buffer);
            _log.Expect(DataFdEndsWithSession, n <= 0, $"after {arc} the old data_fd reads nothing",
                $"after {arc} (left with data unread) the old data_fd still delivered {n} bytes; vfio.h: the arc terminates the data transfer session");
        }
        catch (VfioException e)
        {
            _log.Pass(DataFdEndsWithSession, $"after {arc} reading the old data_fd fails ({Short(e)})");
        }
    }

    private void ProbeWrite(MigrationDataStream data, string arc)
    {
        try
        {
            data.Write([0]);
            _log.Fail(DataFdEndsWithSession, $"after {arc} the old RESUMING data_fd still accepted a write; vfio.h: leaving RESUMING terminates the data transfer session");
        }
        catch (VfioException e)
        {
            _log.Pass(DataFdEndsWithSession, $"after {arc} writing the old data_fd fails ({Short(e)})");
        }
    }

    private void ProbePrecopyInfoFails(MigrationDataStream data, string when)
    {
        try
        {
            PrecopyInfo info = data.GetPrecopyInfo();
            _log.Fail(PrecopyInfoOutsidePreCopy, $"{when}, VFIO_MIG_GET_PRECOPY_INFO still answered (initial_bytes {info.InitialBytes}); it is a pre-copy phase ioctl, valid only in PRE_COPY and PRE_COPY_P2P");
        }
        catch (VfioException e)
        {
            _log.Pass(PrecopyInfoOutsidePreCopy, $"{when}, VFIO_MIG_GET_PRECOPY_INFO fails ({Short(e)})");
        }
    }

    /// <summary>PRE_COPY: PRECOPY_INFO while the initial data is read, the temporary end, then on into STOP_COPY.</summary>
    private void PreCopyPhase()
    {
        if (!Has(MigrationFeatures.PreCopy))
        {
            const string none = "the device has no PRE_COPY (VFIO_MIGRATION_PRE_COPY not set)";
            _log.Skip(PrecopyInfoSane, none);
            _log.Skip(PrecopyInfoOutsidePreCopy, none);
            _log.Skip(PrecopyEndOfStream, none);
            _log.Skip(UnsafeArcRefusedInUserSpace, none + ": STOP_COPY -> PRE_COPY does not exist on it");
            return;
        }
        Reach(Running);
        MigrationDataStream? data = RawStep(PreCopy);
        if (data is null)
        {
            RawStep(Running);
            _log.Skip(PrecopyInfoSane, "RUNNING -> PRE_COPY returned no data_fd (see data-fd-per-arc)");
            return;
        }
        Adopt(Running, PreCopy, data);
        if (V2)
        {
            ReadInitialData(data);
            if (Has(MigrationFeatures.P2P))
            {
                Adopt(PreCopy, PreCopyP2P, RawStep(PreCopyP2P));
                ExpectPrecopyInfoAnswers(data, "in PRE_COPY_P2P");
            }
        }
        MigrationState at = _stepper.State();
        Adopt(at, StopCopy, RawStep(StopCopy));
        if (V2)
        {
            ProbePrecopyInfoFails(data, $"in STOP_COPY (reached from {StateName(at)})");
        }
        CheckUnsafeArcs();
        if (ReferenceEquals(_session, data) && ReadToEnd(data, Limit(null), "PRE_COPY then STOP_COPY") is { } rest)
        {
            _log.Pass(StopCopyEof, $"the pre-copy data_fd, its initial data read in PRE_COPY, ended in STOP_COPY after {rest.Length} more bytes");
        }
        Adopt(StopCopy, Stop, RawStep(Stop));
        Reach(Running);
    }

    /// <summary>
    /// vfio.h (struct vfio_precopy_info): initial_bytes "should have a non-zero initial value and decrease as migration data
    /// is read"; the temporary end of stream "is reached when both initial_bytes and dirty_bytes are zero", and read()
    /// there "should return ENOMSG". u64 counts that read as negative numbers have underflowed.
    /// </summary>
    private void ReadInitialData(MigrationDataStream data)
    {
        PrecopyInfo? first = QueryPrecopyInfo(data, "on entering PRE_COPY");
        if (first is not PrecopyInfo previous)
        {
            return;
        }
        if (previous.InitialBytes == 0)
        {
            _log.Warn(PrecopyInfoSane, "initial_bytes is 0 on entering PRE_COPY; vfio.h: it should start non-zero");
        }
        var buffer = new byte[1024];
        long read = 0;
        long limit = Limit(null);
        while (true)
        {
            int n;
            try
            {
                n = data.TryRead(buffer);
            }
            catch (VfioException e)
            {
                _log.Fail(PrecopyInfoSane, $"read() in PRE_COPY failed after {read} bytes: {e.Message}");
                return;
            }
            if (n <= 0)
            {
                EndOfPrecopy(data, n, read);
                break;
            }
            read += n;
            if (read > limit)
            {
                _log.Fail(PrecopyInfoSane, $"no temporary end of the pre-copy data after {read} bytes of an idle device");
                return;
            }
            if (QueryPrecopyInfo(data, $"after {read} bytes") is not PrecopyInfo now)
            {
                return;
            }
            if (now.InitialBytes > previous.InitialBytes)
            {
                _log.Fail(PrecopyInfoSane, $"initial_bytes grew from {previous.InitialBytes} to {now.InitialBytes} after reading {n} more bytes; vfio.h: it decreases as migration data is read");
                return;
            }
            previous = now;
        }
        _log.Pass(PrecopyInfoSane, $"initial_bytes went from {first.Value.InitialBytes} to 0 over {read} bytes read and never grew");
    }

    private void EndOfPrecopy(MigrationDataStream data, int n, long read)
    {
        if (n < 0)
        {
            _log.Pass(PrecopyEndOfStream, $"read() returns ENOMSG at the temporary end, after {read} bytes");
        }
        else
        {
            _log.Warn(PrecopyEndOfStream, $"read() returns 0 at the temporary end of the pre-copy data (after {read} bytes); vfio.h: the driver should return ENOMSG there, 0 is the permanent end of STOP_COPY");
        }
        if (QueryPrecopyInfo(data, "at the temporary end") is PrecopyInfo end && end.InitialBytes != 0)
        {
            _log.Fail(PrecopyInfoSane, $"read() reported the end of the pre-copy data while initial_bytes is {end.InitialBytes}; vfio.h: the temporary end is reached when initial_bytes and dirty_bytes are zero");
        }
    }

    private PrecopyInfo? QueryPrecopyInfo(MigrationDataStream data, string when)
    {
        try
        {
            PrecopyInfo info = data.GetPrecopyInfo();
            if (info.InitialBytes >= Negative || info.DirtyBytes >= Negative)
            {
                _log.Fail(PrecopyInfoSane, $"{when}, initial_bytes {info.InitialBytes} / dirty_bytes {info.DirtyBytes}: a count gone negative (underflow)");
                return null;
            }
            return info;
        }
        catch (VfioException e)
        {
            _log.Fail(PrecopyInfoSane, $"{when}, VFIO_MIG_GET_PRECOPY_INFO failed: {e.Message}; vfio.h: mandatory for a driver with VFIO_MIGRATION_PRE_COPY");
            return null;
        }
    }

    private void ExpectPrecopyInfoAnswers(MigrationDataStream data, string when)
    {
        if (QueryPrecopyInfo(data, when) is PrecopyInfo)
        {
            _log.Pass(PrecopyInfoSane, $"{when} the pre-copy data_fd still answers (the saving group shares one session)");
        }
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

    /// <summary>RESUMING must refuse garbage and truncated streams, by write() or by RESUMING -> STOP, and never run them.</summary>
    private void RefusedLoads()
    {
        int length = _own is { Length: > 0 } own ? own.Length : 4096;
        LoadMustFail(ResumingRejectsGarbage, $"{length} bytes of garbage", Garbage(length));
        if (_own is not { Length: >= 2 } stream)
        {
            _log.Skip(ResumingRejectsTruncated, "no stream of the device's own (of at least 2 bytes) to truncate");
            return;
        }
        LoadMustFail(ResumingRejectsTruncated, $"the first half ({stream.Length / 2} of {stream.Length} bytes) of its own stream", stream.AsSpan(0, stream.Length / 2).ToArray());
        LoadMustFail(ResumingRejectsTruncated, "its own stream less the last byte", stream.AsSpan(0, stream.Length - 1).ToArray());
    }

    private void LoadMustFail(string check, string what, byte[] data)
    {
        Reach(Stop);
        MigrationDataStream? resuming = RawStep(Resuming);
        Adopt(Stop, Resuming, resuming);
        if (resuming is null)
        {
            _log.Fail(check, "STOP -> RESUMING returned no data_fd to write into");
            Recover();
            return;
        }
        string refusal;
        try
        {
            resuming.Write(data);
            try
            {
                RawStep(Stop);
                _log.Fail(check, $"{what} loaded: RESUMING -> STOP succeeded, so the device would run foreign state; vfio.h: invalid or incomplete data must fail the SET");
                Recover();
                return;
            }
            catch (VfioException e)
            {
                refusal = $"RESUMING -> STOP refused it ({Short(e)})";
            }
        }
        catch (VfioException e)
        {
            refusal = $"write() refused it ({Short(e)})";
        }
        MigrationState left = _stepper.State();
        _log.Expect(check, left is Resuming or Error, $"{what}: {refusal}; the device stayed in {StateName(left)}",
            $"{what}: {refusal}, but the device is in {StateName(left)}; after a refused load it must stay in RESUMING or go to ERROR until reset");
        if (left == Error)
        {
            _errorSeen = true;
            ObserveReset(ErrorRecoveredByReset, $"ERROR (after {what})");
        }
        else
        {
            ObserveReset(ResetReturnsRunning, $"{StateName(left)} after a refused load");
        }
    }

    /// <summary>
    /// vfio.h: "The user is not required to preserve buffer segmentation when writing the data stream during the RESUMING
    /// operation." The device's own stream goes in as pieces of 1, 3, 7, 61 and 4093 bytes, then the rest, and must load.
    /// </summary>
    private void SegmentedLoad()
    {
        if (_own is not { Length: > 1 } stream)
        {
            _log.Skip(ResumingAnySegmentation, "no stream of the device's own (of at least 2 bytes) to write in pieces");
            return;
        }
        Reach(Stop);
        MigrationDataStream? resuming = RawStep(Resuming);
        Adopt(Stop, Resuming, resuming);
        if (resuming is null)
        {
            _log.Fail(ResumingAnySegmentation, "STOP -> RESUMING returned no data_fd to write into");
            Recover();
            return;
        }
        int at = 0;
        var pieces = new List<int>();
        try
        {
            foreach (int size in new[] { 1, 3, 7, 61, 4093, int.MaxValue })
            {
                int n = Math.Min(size, stream.Length - at);
                if (n == 0)
                {
                    break;
                }
                resuming.Write(stream.AsSpan(at, n));
                pieces.Add(n);
                at += n;
            }
            _sessionFed = true;
            Adopt(Resuming, Stop, RawStep(Stop));
            Reach(Running);
            _log.Pass(ResumingAnySegmentation, $"its own stream written as {pieces.Count} pieces ({string.Join(", ", pieces)} bytes) loaded and it runs");
        }
        catch (VfioException e)
        {
            _log.Fail(ResumingAnySegmentation, $"its own stream written as pieces of {string.Join(", ", pieces)} bytes (then the rest) did not load: {e.Message}; " +
                "vfio.h: the user need not preserve buffer segmentation when writing in RESUMING");
            Recover();
        }
    }

    /// <summary>vfio.h: VFIO_DEVICE_RESET returns the device_state to RUNNING, from ERROR and from anywhere else.</summary>
    private void ResetFromEveryState()
    {
        foreach (MigrationState state in States.Where(s => s != Running && MigrationArcs.IsSupported(s, _features)))
        {
            Reach(state);
            ObserveReset(ResetReturnsRunning, StateName(state));
        }
        if (!_errorSeen)
        {
            _log.Skip(ErrorRecoveredByReset, "the device never entered ERROR: it refused bad data and stayed in RESUMING, which vfio.h allows " +
                "(\"optionally go to the ERROR state\"); ERROR cannot be asked for, so reset from ERROR was not exercised");
        }
    }

    private void ObserveReset(string check, string from)
    {
        CloseSession();
        _stepper.Reset();
        MigrationState after = _stepper.State();
        _log.Expect(check, after == Running, $"VFIO_DEVICE_RESET returns RUNNING from {from}",
            $"VFIO_DEVICE_RESET from {from} left the device in {StateName(after)}; vfio.h: reset returns the device_state to RUNNING");
        if (after == Error)
        {
            // Nothing else can be checked on a device that reset does not bring back; the phases after this one fail.
            throw new VfioException(ErrorCode.DeviceInErrorState, $"{_device.Name}: still in ERROR after VFIO_DEVICE_RESET") { Device = _device.Name };
        }
    }

    /// <summary>Streams of older builds load: RESUMING, write, RESUMING -> STOP, back to RUNNING.</summary>
    private void LoadSavedStreams()
    {
        string skipped = _options.SavedStreamsSkipped.Count == 0 ? "" : $" (not for this device: {string.Join("; ", _options.SavedStreamsSkipped)})";
        if (_options.SavedStreams.Count == 0)
        {
            _log.Skip(SavedStreamsLoad, "no saved streams were given" + skipped);
            return;
        }
        foreach (SavedStream saved in _options.SavedStreams)
        {
            try
            {
                Load(saved.Data.ToArray());
                MigrationState now = _stepper.State();
                _log.Expect(SavedStreamsLoad, now == Running, $"{_options.SavedStreams.Count} stream(s) loaded and ran{skipped}",
                    $"{saved.Name}: loaded but the device is in {StateName(now)}");
            }
            catch (VfioException e)
            {
                _log.Fail(SavedStreamsLoad, $"{saved.Name} ({saved.Data.Length} bytes) no longer loads: {e.Message}");
                Recover();
            }
        }
    }

    private void Load(byte[] data)
    {
        Reach(Stop);
        MigrationDataStream? resuming = RawStep(Resuming);
        Adopt(Stop, Resuming, resuming);
        if (resuming is null)
        {
            throw new VfioException(ErrorCode.DeviceRefusedState, $"{_device.Name}: STOP -> RESUMING returned no data_fd") { Device = _device.Name };
        }
        resuming.Write(data);
        _sessionFed = true;
        Adopt(Resuming, Stop, RawStep(Stop));
        Reach(Running);
    }

    /// <summary>
    /// The end of every run: the device's own stream is loaded back (the round trip) and saved again to compare, and the
    /// device is left RUNNING. Without a stream of its own (or when it does not load) the device ends reset.
    /// </summary>
    private void Restore()
    {
        CloseSession();
        bool restored = false;
        try
        {
            if (_stepper.State() != Running)
            {
                ResetDevice();
            }
            if (_own is null)
            {
                _log.Skip(RoundTrip, "no stream of the device's own could be saved (see stop-copy-eof)");
            }
            else
            {
                Load(_own);
                restored = _stepper.State() == Running;
                CompareResave();
            }
        }
        catch (VfioException e)
        {
            _log.Fail(RoundTrip, $"the device's own stream of {_own?.Length ?? 0} bytes did not load back: {e.Message}");
            Recover();
        }
        MigrationState end;
        try
        {
            end = _stepper.State();
        }
        catch (VfioException e)
        {
            _log.Fail(DeviceLeftRunning, $"the device's state cannot be read: {e.Message}");
            return;
        }
        _log.Expect(DeviceLeftRunning, end == Running,
            restored ? "RUNNING, with the state saved at the start loaded back" : "RUNNING after VFIO_DEVICE_RESET; the state it had before the kit ran is lost",
            $"the device is left in {StateName(end)}; reset it (VFIO_DEVICE_RESET) before use");
    }

    private void CompareResave()
    {
        Reach(Stop);
        MigrationDataStream? data = RawStep(StopCopy);
        byte[]? again = null;
        if (data is not null)
        {
            using (data)
            {
                // Read in odd sizes this time: the byte stream must not depend on how user space cuts its reads.
                again = ReadToEnd(data, Limit(null), "STOP -> STOP_COPY (saving again after the round trip)", [1, 3, 7, 61, 4093, ChunkSize]);
            }
        }
        RawStep(Stop);
        Reach(Running);
        if (again is null)
        {
            _log.Warn(RoundTrip, $"its own stream of {_own!.Length} bytes loaded and it runs; saving it again failed (see stop-copy-eof)");
        }
        else if (again.AsSpan().SequenceEqual(_own))
        {
            _log.Pass(RoundTrip, $"its own stream of {_own!.Length} bytes loaded, it runs, and it saves the same bytes again (read in pieces of 1 to 65536 bytes)");
        }
        else
        {
            _log.Warn(RoundTrip, $"its own stream loaded and it runs, but it now saves {again.Length} different bytes (was {_own!.Length}); " +
                "vfio.h treats the stream as opaque, so this is allowed, but a load that ignores its data looks the same");
        }
    }

    // A fixed xorshift generator: the same garbage on every run, nothing a device could mistake for its own header.
    private static byte[] Garbage(int length)
    {
        byte[] data = new byte[length];
        ulong x = 0x2545_F491_4F6C_DD1Dul;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data[i] = (byte)(x >> 24);
        }
        return data;
    }

    private static string Short(VfioException e) => e is VfioErrnoException errno ? errno.ErrnoName : ErrorCatalogue.Id(e.Code);
}
