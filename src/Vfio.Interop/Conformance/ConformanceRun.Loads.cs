using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

// RESUMING and reset: refused loads, odd segmentation, reset from every state, saved streams and the round trip.
internal sealed partial class ConformanceRun
{
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
            throw InteropErrors.StillInErrorAfterReset(_device.Name);
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
            throw InteropErrors.NoResumingDataFd(_device.Name);

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
}
