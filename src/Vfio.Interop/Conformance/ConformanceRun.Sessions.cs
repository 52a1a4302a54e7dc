using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

// Data sessions: what a data_fd does once its session ends, and PRE_COPY with VFIO_MIG_GET_PRECOPY_INFO.
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
}
