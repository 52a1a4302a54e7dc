using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using static Vfio.Conformance.ConformanceChecks;
using static Vfio.Devices.MigrationState;

namespace Vfio.Conformance;

// Saving the device's own state first: STOP_COPY to its end, against MIG_DATA_SIZE.
internal sealed partial class ConformanceRun
{
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
}
