using System.Buffers;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// The push shell of <see cref="MigrationStreamDecoder"/>: a write-only <see cref="Stream"/> that decodes an envelope
/// as it is written and writes each verified data payload into the destination device. Put it where a
/// <see cref="MigrationStreamWriter"/> would write to a pipe, and a save and a load run in one process with no
/// transport between them: the source's data is read into the writer's chunk buffer, checksummed there by the
/// writer, verified there by the decoder, and copied once more, into the destination (two copies per byte, one
/// checksum pass per side of the envelope).
/// </summary>
/// <remarks>
/// <para>A field that arrives whole inside one write (the writer writes each record in one write) is decoded in
/// place; a field cut across writes is gathered into one pooled buffer first. Refusals are the decoder's 5xxx
/// errors, raised by the write that carries the offending bytes, so the source learns of them at once.</para>
/// <para>Call <see cref="Finish"/> after the writer's <c>Complete</c>: it is the end of input, and refuses a stream
/// that stopped before its verified end record (<see cref="Vfio.Errors.ErrorCode.StreamTruncated"/>).</para>
/// </remarks>
public sealed class MigrationStreamDecodingStream : Stream
{
    private readonly MigrationStreamDecoder _decoder;
    private readonly Stream _deviceWriteSide;
    private byte[]? _gather;
    private int _gathered;
    private bool _finished;

    /// <summary>Creates a sink that decodes with <paramref name="decoder"/> into <paramref name="deviceWriteSide"/>.</summary>
    /// <param name="decoder">A fresh decoder, with the destination's header validator.</param>
    /// <param name="deviceWriteSide">Where the verified data goes, e.g. the destination's RESUMING data session.</param>
    public MigrationStreamDecodingStream(MigrationStreamDecoder decoder, Stream deviceWriteSide)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(deviceWriteSide);
        _decoder = decoder;
        _deviceWriteSide = deviceWriteSide;
    }

    /// <summary>The decoder: its totals, header and channel once decoded.</summary>
    public MigrationStreamDecoder Decoder => _decoder;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => !_finished;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => _decoder.Offset + _gathered;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Decodes <paramref name="buffer"/>, writing the device data it completes into the destination.</summary>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal (corrupt, foreign, mismatched or trailing bytes).</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            int needed = _decoder.NeededLength;
            if (_gathered == 0 && buffer.Length >= needed)
            {
                Dispatch(buffer[..needed]);
                buffer = buffer[needed..];
                continue;
            }
            if (_gather is null || _gather.Length < needed)
            {
                byte[]? old = _gather;
                _gather = ArrayPool<byte>.Shared.Rent(needed);
                if (old is not null)
                {
                    old.AsSpan(0, _gathered).CopyTo(_gather);
                    ArrayPool<byte>.Shared.Return(old);
                }
            }
            int take = Math.Min(needed - _gathered, buffer.Length);
            buffer[..take].CopyTo(_gather.AsSpan(_gathered));
            _gathered += take;
            buffer = buffer[take..];
            if (_gathered == needed)
            {
                _gathered = 0;
                Dispatch(_gather.AsSpan(0, needed));
            }
        }
    }

    /// <summary>Decodes synchronously: the destination is in this process, so there is nothing to wait for.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The end of input: succeeds only when the end record was verified and nothing followed it.</summary>
    /// <returns>The number of device data bytes written into the destination.</returns>
    /// <exception cref="MigrationStreamException"><see cref="Vfio.Errors.ErrorCode.StreamTruncated"/> when the stream stopped early.</exception>
    public long Finish()
    {
        if (!_finished)
        {
            _decoder.EndOfInput(_gathered);
            _finished = true;
            ReturnGather();
        }
        return _decoder.DataLength;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Returns the gathering buffer. Does not finish: a sink disposed before <see cref="Finish"/> loaded nothing complete.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _finished = true;
            ReturnGather();
        }
        base.Dispose(disposing);
    }

    private void Dispatch(ReadOnlySpan<byte> field)
    {
        if (_decoder.Feed(field) == StreamEvent.Data)
        {
            DeviceSink.Write(_deviceWriteSide, field, _decoder.DataCrc);
        }
    }

    private void ReturnGather()
    {
        if (_gather is not null)
        {
            ArrayPool<byte>.Shared.Return(_gather);
            _gather = null;
        }
    }
}
