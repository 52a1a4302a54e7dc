using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// A v1 save or resume session presented as a <see cref="MigrationDataStream"/>, so callers see the v2 shape.
/// </summary>
/// <remarks>
/// Saving follows the Linux 5.8 sequence: read <c>pending_bytes</c> (0 ends the stream in STOP_COPY and means
/// "nothing now" in pre-copy), read <c>data_offset</c> then <c>data_size</c>, then read <c>data_size</c> bytes at
/// <c>data_offset</c>. Resuming: read <c>data_offset</c>, write the bytes there, write <c>data_size</c>; each piece is
/// bounded by the data section (region size minus <c>data_offset</c>).
/// </remarks>
internal sealed class V1RegionDataStream : MigrationDataStream
{
    private readonly V1RegionProtocol _region;
    private readonly bool _resuming;
    private ulong _pieceOffset;
    private ulong _pieceSize;
    private ulong _pieceRead;
    private bool _disposed;

    public V1RegionDataStream(V1RegionProtocol region, bool resuming)
    {
        _region = region;
        _resuming = resuming;
    }

    public override bool CanRead => !_resuming && !_disposed;

    public override bool CanWrite => _resuming && !_disposed;

    public override int TryRead(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_resuming)
        {
            throw new NotSupportedException("a resume session is written, not read");
        }
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_pieceRead == _pieceSize)
        {
            ulong pending = _region.ReadU64(V1RegionLayout.PendingBytesOffset);
            if (pending == 0)
            {
                return EndOrNothingNow();
            }
            _pieceOffset = _region.ReadU64(V1RegionLayout.DataOffsetOffset);
            _pieceSize = _region.ReadU64(V1RegionLayout.DataSizeOffset);
            _pieceRead = 0;
            if (_pieceSize == 0)
            {
                return EndOrNothingNow();
            }
        }
        int n = (int)Math.Min((ulong)buffer.Length, _pieceSize - _pieceRead);
        _region.Read(_pieceOffset + _pieceRead, buffer[..n]);
        _pieceRead += (ulong)n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_resuming)
        {
            throw new NotSupportedException("a save session is read, not written");
        }
        while (!buffer.IsEmpty)
        {
            ulong dataOffset = _region.ReadU64(V1RegionLayout.DataOffsetOffset);
            if (dataOffset < V1RegionLayout.HeaderSize || dataOffset >= _region.Region.Size)
            {
                throw InteropErrors.V1DataOffsetOutside(_region.DeviceName, dataOffset, _region.Region.Size, V1RegionLayout.HeaderSize);
            }
            int chunk = (int)Math.Min((ulong)buffer.Length, Math.Min(_region.Region.Size - dataOffset, int.MaxValue));
            _region.Write(dataOffset, buffer[..chunk]);
            // Writing data_size tells the vendor driver the piece is complete; it runs its load code now.
            _region.WriteU64(V1RegionLayout.DataSizeOffset, (ulong)chunk);
            buffer = buffer[chunk..];
        }
    }

    public override PrecopyInfo GetPrecopyInfo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MigrationState state = _region.GetState();
        if (_resuming || state != MigrationState.PreCopy)
        {
            throw InteropErrors.PreCopyInfoOutsidePreCopy(_region.DeviceName, state);

        }
        // Reading pending_bytes tells a v1 driver the previous piece is consumed, so never read it mid-piece.
        if (_pieceRead < _pieceSize)
        {
            return new PrecopyInfo(_pieceSize - _pieceRead, 0);
        }
        return new PrecopyInfo(_region.ReadU64(V1RegionLayout.PendingBytesOffset), 0);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private int EndOrNothingNow() => _region.GetState() == MigrationState.PreCopy ? -1 : 0;
}
