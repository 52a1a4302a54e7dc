using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>
/// A write-only stream over a file named on the command line (<c>save -o FILE</c>) that turns the runtime's I/O
/// exceptions into <see cref="VfioFileException"/>s naming the file, the errno and what was kept. The orchestrator
/// passes a <see cref="VfioException"/> through as the outcome's error, so a full disk during a save is reported as
/// <see cref="ErrorCode.FileSystemFull"/> with the path, not as a kernel call that failed.
/// </summary>
internal sealed class FileFaultStream(Stream inner, string operation, string path, string kept) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => FileFault.Run(operation, path, inner.Flush, kept);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.From(e, operation, path, kept);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => FileFault.Run(operation, path, () => inner.Write(buffer, offset, count), kept);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.From(e, operation, path, kept);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.From(e, operation, path, kept);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
