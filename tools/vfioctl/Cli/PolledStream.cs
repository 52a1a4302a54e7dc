using Vfio.IO;

namespace Vfio.Ctl.Cli;

/// <summary>
/// The standard input or output of <c>load -i -</c> and <c>save -o -</c>: every read and write first waits with
/// poll(2), in slices of <see cref="SliceMilliseconds"/>, until the descriptor is ready, checking the cancellation
/// (a signal, see <see cref="TerminationSignals"/>) between slices. So a save blocked on a pipe that nobody drains, or
/// a load waiting for bytes that never come, ends when the operator presses Ctrl-C, and the verb rolls back.
/// </summary>
/// <remarks>
/// A write is split into pieces of at most <see cref="PipeBuffer"/> bytes (PIPE_BUF), each written once poll says the
/// descriptor is writable: a pipe then has room for the whole piece, so the write returns at once. This matters for
/// the end record: a write abandoned while blocked in the kernel would still complete once the reader drains the
/// pipe, and deliver a whole stream from a source that was already rolled back; here nothing is written after the
/// cancellation is seen. A regular file is always ready, so it reads and writes as before.
/// </remarks>
internal sealed class PolledStream(Stream inner, int descriptor, CancellationToken cancellationToken) : Stream
{
    /// <summary>How long one poll waits before the cancellation is checked again.</summary>
    public const int SliceMilliseconds = 100;

    /// <summary>PIPE_BUF on Linux: a write of at most this many bytes to a pipe with room is never partial.</summary>
    public const int PipeBuffer = 4096;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        WaitUntilReady(UnixPoll.Readable, CancellationToken.None);
        return inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WaitUntilReady(UnixPoll.Readable, cancellationToken);
        return ValueTask.FromResult(inner.Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => WritePieces(buffer, CancellationToken.None);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WritePieces(buffer.Span, cancellationToken);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(CancellationToken.None);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private void WritePieces(ReadOnlySpan<byte> buffer, CancellationToken callerToken)
    {
        while (!buffer.IsEmpty)
        {
            WaitUntilReady(UnixPoll.Writable, callerToken);
            int piece = Math.Min(buffer.Length, PipeBuffer);
            inner.Write(buffer[..piece]);
            buffer = buffer[piece..];
        }
    }

    // Returns when the descriptor is ready, or has an error or hang-up (the read or write then reports it);
    // throws OperationCanceledException when either token is cancelled first.
    private void WaitUntilReady(short events, CancellationToken callerToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            callerToken.ThrowIfCancellationRequested();
            int ready = UnixPoll.Wait(descriptor, events, SliceMilliseconds, out int errno);
            if (ready > 0)
            {
                return;
            }
            if (ready < 0 && errno != UnixPoll.Interrupted)
            {
                // poll itself failed (not a descriptor it can watch): let the read or write run and report.
                return;
            }
        }
    }
}
