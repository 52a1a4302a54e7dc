using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Emulation;

public sealed partial class EmulatedVfioDevice
{
    // The current data session: 0 when none. A stream holds the number of the session that opened it, so a stream
    // kept past the end of its session fails like a kernel data_fd whose migration file was disabled.
    private int _session;
    private int _lastSession;
    private long _sessionBytes;
    // Deliberate bugs' bookkeeping: PRECOPY_INFO queries answered, and whether a refused load is being swallowed.
    private long _precopyQueries;
    private bool _discardLoad;

    private void StartSession()
    {
        _session = ++_lastSession;
        _sessionBytes = 0;
        _discardLoad = false;
        _v1Staged = 0;
        _v1StagedDelivered = false;
    }

    private void EndSession()
    {
        _session = 0;
        _v1Staged = 0;
        _v1StagedDelivered = false;
    }

    /// <summary>Reads a save session; <paramref name="crc32c"/> is the checksum of the bytes read when <paramref name="checksum"/> asks for it, the backend gave one
    /// and no armed fault or driver bug changed or cut them.</summary>
    internal int ReadSession(int session, Span<byte> buffer, bool checksum, out uint? crc32c)
    {
        lock (_gate)
        {
            crc32c = null;
            if (IsStale(session) && HasBug(EmulatedDriverBugs.DataFdOutlivesSession))
            {
                buffer.Fill(0x5A);
                return buffer.Length;
            }
            CheckSession(session, "read");
            return PullSaveData(buffer, checksum, out crc32c);
        }
    }

    /// <summary>Writes a resume session; the verified checksum goes to the backend with the bytes it covers, and only
    /// with all of them.</summary>
    internal void WriteSession(int session, ReadOnlySpan<byte> data, uint? crc32c)
    {
        lock (_gate)
        {
            if (IsStale(session) && HasBug(EmulatedDriverBugs.DataFdOutlivesSession))
            {
                return;
            }
            CheckSession(session, "write");
            if (HasBug(EmulatedDriverBugs.ResumingAcceptsGarbage))
            {
                SwallowLoadFailure(data);
                return;
            }
            if (HasBug(EmulatedDriverBugs.ResumingKeepsLastWriteOnly) && _sessionBytes > 0)
            {
                // Starts the load over: RESUMING -> STOP -> RESUMING inside the device code would load; reset instead.
                _backend.Reset();
                WalkBackend(MigrationState.Resuming);
                _sessionBytes = 0;
            }
            PushLoadData(data, crc32c);
        }
    }

    internal PrecopyInfo SessionPrecopyInfo(int session)
    {
        lock (_gate)
        {
            CheckSession(session, "VFIO_MIG_GET_PRECOPY_INFO");
            MigrationState state = CurrentState;
            if (state is not (MigrationState.PreCopy or MigrationState.PreCopyP2P) && !HasBug(EmulatedDriverBugs.PrecopyInfoOutsidePreCopy))
            {
                throw EmulationErrors.PrecopyInfoOutsidePreCopy(Name, state);
            }
            PrecopyInfo info = _backend.GetPrecopyInfo();
            return HasBug(EmulatedDriverBugs.PrecopyInitialBytesGrow)
                ? info with { InitialBytes = info.InitialBytes + (ulong)(++_precopyQueries * 4096) }
                : info;
        }
    }

    /// <summary>Runs the device's save code for one piece, applying the armed faults.</summary>
    /// <returns>Bytes produced, 0 at the end, -1 in pre-copy when nothing is available now.</returns>
    private int PullSaveData(Span<byte> buffer, bool checksum, out uint? crc32c)
    {
        crc32c = null;
        EmulatedFaults faults = Faults;
        if (faults.CutStreamAfterBytes is long cut)
        {
            if (_sessionBytes >= cut)
            {
                return 0;
            }
            buffer = buffer[..(int)Math.Min(buffer.Length, cut - _sessionBytes)];
        }
        if (faults.CrashAfterBytes is long crash)
        {
            if (_sessionBytes >= crash)
            {
                throw EmulationErrors.Crash(Name, _sessionBytes, "saved");
            }
            buffer = buffer[..(int)Math.Min(buffer.Length, crash - _sessionBytes)];
        }
        int n = checksum ? _backend.ReadData(buffer, out crc32c) : _backend.ReadData(buffer);
        if (n == 0 && HasBug(EmulatedDriverBugs.EndlessStopCopyData))
        {
            buffer.Fill(0xEE);
            n = buffer.Length;
            crc32c = null;
        }
        if (n > 0)
        {
            if (faults.CorruptSavedByteAt is long at && at >= _sessionBytes && at < _sessionBytes + n)
            {
                // The bytes no longer match what the device checksummed: as on a real data_fd, no checksum comes
                // with them, and the loading device's own check is what catches the damage.
                buffer[(int)(at - _sessionBytes)] ^= 0xFF;
                crc32c = null;
            }
            _sessionBytes += n;
        }
        return n;
    }

    /// <summary>Runs the device's load code on one piece, applying the armed faults.</summary>
    private void PushLoadData(ReadOnlySpan<byte> data, uint? crc32c = null)
    {
        EmulatedFaults faults = Faults;
        long limit = Math.Min(faults.CutStreamAfterBytes ?? long.MaxValue, faults.CrashAfterBytes ?? long.MaxValue);
        if (_sessionBytes + data.Length > limit)
        {
            int accepted = (int)Math.Max(0, limit - _sessionBytes);
            if (accepted > 0)
            {
                _backend.WriteData(data[..accepted]);
                _sessionBytes += accepted;
            }
            if (faults.CrashAfterBytes == limit)
            {
                throw EmulationErrors.Crash(Name, _sessionBytes, "loaded");
            }
            throw EmulationErrors.DataWriteCut(Name, _sessionBytes);
        }
        _backend.WriteData(data, crc32c);
        _sessionBytes += data.Length;
    }

    private bool IsStale(int session) => session != 0 && session != _session;

    // EmulatedDriverBugs.ResumingAcceptsGarbage: a load refused by the device code is dropped, and the device made ready
    // to take more, as a driver that validates nothing would be.
    private void SwallowLoadFailure(ReadOnlySpan<byte> data)
    {
        if (_discardLoad)
        {
            return;
        }
        try
        {
            PushLoadData(data);
        }
        catch (VfioException)
        {
            _discardLoad = true;
            _inError = false;
            _backend.Reset();
            WalkBackend(MigrationState.Resuming);
        }
    }

    private void CheckSession(int session, string operation)
    {
        ThrowIfDisposed();
        if (session == 0 || session != _session)
        {
            throw EmulationErrors.SessionEnded(Name, operation);
        }
    }
}
