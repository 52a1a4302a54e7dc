using Vfio.Devices;

namespace Vfio.Emulation;

/// <summary>
/// The emulated device's <c>data_fd</c>: a save session is read (running the backend's save code), a resume session
/// is written (running its load code). It dies with its session, as the kernel's migration file does. Unlike a kernel
/// data_fd it carries checksums: a read gives the device's CRC-32C of the bytes when it has one, and a write passes a
/// verified one on (<see cref="IChecksummedDataSink"/>; docs/stream-format.md, "Checksums handed along").
/// </summary>
internal sealed class EmulatedDataStream(EmulatedVfioDevice device, int session, bool resuming) : MigrationDataStream, IChecksummedDataSink
{
    private bool _disposed;

    public override bool CanRead => !resuming && !_disposed;

    public override bool CanWrite => resuming && !_disposed;

    public override int TryRead(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (resuming)
        {
            throw new NotSupportedException("a resume session is written, not read");
        }
        return buffer.IsEmpty ? 0 : device.ReadSession(session, buffer, checksum: false, out _);
    }

    public override int TryRead(Span<byte> buffer, out uint? crc32c)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (resuming)
        {
            throw new NotSupportedException("a resume session is written, not read");
        }
        crc32c = null;
        return buffer.IsEmpty ? 0 : device.ReadSession(session, buffer, checksum: true, out crc32c);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer, null);

    public void Write(ReadOnlySpan<byte> data, uint? crc32c)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!resuming)
        {
            throw new NotSupportedException("a save session is read, not written");
        }
        device.WriteSession(session, data, crc32c);
    }

    public override PrecopyInfo GetPrecopyInfo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return device.SessionPrecopyInfo(session);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
