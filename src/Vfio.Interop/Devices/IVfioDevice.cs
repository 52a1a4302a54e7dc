using Vfio.Errors;

namespace Vfio.Devices;

/// <summary>
/// The device surface both migration protocols are written against. It is implemented twice: by the kernel
/// device (a VFIO device fd, <c>KernelVfioDevice</c>) and by the emulated device (<c>EmulatedVfioDevice</c>),
/// so what CI proves on emulated regions is what runs on a real host.
/// </summary>
/// <remarks>
/// Every member maps to one kernel operation on the device fd; none of them walks the state machine.
/// Errors are <see cref="VfioException"/>s: kernel failures carry <see cref="ErrorCode.KernelCallFailed"/>
/// with the errno (as <c>VfioErrnoException</c>).
/// </remarks>
public interface IVfioDevice : IDisposable
{
    /// <summary>The device's name: an mdev UUID, a PCI address, or an emulated device's name.</summary>
    string Name { get; }

    /// <summary><c>VFIO_DEVICE_GET_INFO</c>.</summary>
    /// <returns>The device info.</returns>
    VfioDeviceInfo GetInfo();

    /// <summary><c>VFIO_DEVICE_GET_REGION_INFO</c> for one region, with its capability chain parsed.</summary>
    /// <param name="index">The region index.</param>
    /// <returns>The region info.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.CapabilityChainMalformed"/> for a bad chain.</exception>
    VfioRegionInfo GetRegionInfo(uint index);

    /// <summary><c>VFIO_DEVICE_GET_IRQ_INFO</c> for one IRQ index.</summary>
    /// <param name="index">The IRQ index.</param>
    /// <returns>The IRQ info.</returns>
    VfioIrqInfo GetIrqInfo(uint index);

    /// <summary><c>pread</c> from a region at an offset within it.</summary>
    /// <param name="index">The region index.</param>
    /// <param name="offset">Offset within the region.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>The number of bytes read.</returns>
    int ReadRegion(uint index, ulong offset, Span<byte> buffer);

    /// <summary><c>pwrite</c> into a region at an offset within it.</summary>
    /// <param name="index">The region index.</param>
    /// <param name="offset">Offset within the region.</param>
    /// <param name="data">The bytes to write.</param>
    /// <returns>The number of bytes written.</returns>
    int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data);

    /// <summary><c>VFIO_DEVICE_RESET</c>. For a migratable device this also returns the v2 state to RUNNING.</summary>
    void Reset();

    /// <summary>
    /// <c>VFIO_DEVICE_FEATURE</c> GET of <c>VFIO_DEVICE_FEATURE_MIGRATION</c>: the v2 migration flags, or
    /// <see cref="MigrationFeatures.None"/> when the device does not support the v2 protocol.
    /// </summary>
    /// <returns>The flags.</returns>
    MigrationFeatures GetMigrationFeatures();

    /// <summary>GET of <c>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE</c>: the current v2 state.</summary>
    /// <returns>The state.</returns>
    MigrationState GetMigrationState();

    /// <summary>
    /// SET of <c>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE</c>: one arc to <paramref name="next"/>. Returns the data
    /// session the arc opens (the kernel's <c>data_fd</c>), or null. The caller owns and disposes it.
    /// </summary>
    /// <param name="next">The next state; the caller has already checked the arc is legal.</param>
    /// <returns>The data session, or null when the arc opens none.</returns>
    MigrationDataStream? SetMigrationState(MigrationState next);

    /// <summary>GET of <c>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE</c>: estimated bytes of STOP_COPY data.</summary>
    /// <returns>The estimate, in bytes.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FeatureUnsupported"/> where the device lacks it.</exception>
    ulong GetMigrationDataSize();
}

/// <summary>
/// A v2 migration data session (the kernel's <c>data_fd</c>): read in PRE_COPY and STOP_COPY, written in RESUMING.
/// </summary>
/// <remarks>
/// <see cref="Stream.Read(Span{byte})"/> returns 0 at the end of the data. In PRE_COPY the kernel fails a read
/// with <c>ENOMSG</c> when no data is available yet but more may come; <see cref="TryRead(Span{byte})"/> reports that
/// as -1 so callers never mistake it for an error or for the end.
/// </remarks>
public abstract class MigrationDataStream : Stream
{
    /// <summary>Reads data; -1 means "nothing now, more may come" (ENOMSG in PRE_COPY), 0 means the end.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>Bytes read, 0 at the end, -1 for a temporary end of stream.</returns>
    public abstract int TryRead(Span<byte> buffer);

    /// <summary>
    /// <see cref="TryRead(Span{byte})"/>, with the CRC-32C of the bytes read when the device produced it as it saved
    /// them (an SDK device on the emulated host); a kernel data_fd knows none. A stream writer given it writes it as
    /// the record's checksum instead of checksumming the bytes again.
    /// </summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="crc32c">The CRC-32C of the bytes read, or null.</param>
    /// <returns>As <see cref="TryRead(Span{byte})"/>.</returns>
    public virtual int TryRead(Span<byte> buffer, out uint? crc32c)
    {
        crc32c = null;
        return TryRead(buffer);
    }

    /// <summary><c>VFIO_MIG_GET_PRECOPY_INFO</c> on the data session (PRE_COPY states only).</summary>
    /// <returns>The initial and dirty byte counts.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.FeatureUnsupported"/> outside PRE_COPY or where unsupported.</exception>
    public abstract PrecopyInfo GetPrecopyInfo();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int n = TryRead(buffer);
        return n < 0 ? 0 : n;
    }

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Flush()
    {
    }
}
