using Vfio.Errors;

namespace Vfio.Devices;

/// <summary>
/// The device behind an emulated VFIO device: what the kernel's vendor driver does for a real one.
/// The emulated device (both the v1 region and the v2 feature protocol) forwards to it, and the vendor
/// SDK's <c>MigratableDevice</c> base implements it, so the same device code serves both protocols.
/// </summary>
/// <remarks>
/// <para>This is the contract between the vendor SDK and whatever drives a device (the emulator, the test kit, a
/// host); it lives in Vfio.Contracts so that the SDK implements it without referencing the emulator. The SDK
/// implements it explicitly: a vendor's device class does not show these members to the vendor's own guest-facing
/// code; a driver reaches them through this interface.</para>
/// <para>
/// The backend speaks the v2 state machine: the emulated v1 region maps its <c>device_state</c> bits onto it
/// (RUNNING = Running, SAVING|RUNNING = PreCopy, SAVING = StopCopy, RESUMING = Resuming, 0 = Stop).
/// <see cref="Step"/> is called for single direct arcs only; the caller has planned the path.
/// </para>
/// </remarks>
public interface IMigrationBackend
{
    /// <summary>The backend's current state.</summary>
    MigrationState State { get; }

    /// <summary>The migration features the backend supports (at least <see cref="MigrationFeatures.StopCopy"/>).</summary>
    MigrationFeatures Features { get; }

    /// <summary>Takes one direct arc from <see cref="State"/> to <paramref name="next"/>.</summary>
    /// <param name="next">The next state.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.IllegalStateArc"/> for an arc that is not direct;
    /// <see cref="ErrorCode.DeviceRefusedState"/> when the device refuses it.</exception>
    void Step(MigrationState next);

    /// <summary>Reads saved state in PRE_COPY, PRE_COPY_P2P or STOP_COPY; runs the device's save code.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>Bytes read; 0 at the end of STOP_COPY data; -1 in pre-copy when nothing is available now.</returns>
    int ReadData(Span<byte> buffer);

    /// <summary>Accepts state to load in RESUMING; the load completes on the arc out of RESUMING.</summary>
    /// <param name="data">The bytes.</param>
    void WriteData(ReadOnlySpan<byte> data);

    /// <summary>
    /// <see cref="ReadData(Span{byte})"/>, and the CRC-32C of the bytes read when the backend knows it without reading
    /// them again (it checksummed them as it produced them). The stream envelope then uses it as its record checksum
    /// instead of a pass of its own. The default knows none.
    /// </summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="crc32c">The CRC-32C (Castagnoli) of the bytes read, or null.</param>
    /// <returns>As <see cref="ReadData(Span{byte})"/>.</returns>
    int ReadData(Span<byte> buffer, out uint? crc32c)
    {
        crc32c = null;
        return ReadData(buffer);
    }

    /// <summary>
    /// <see cref="WriteData(ReadOnlySpan{byte})"/> of bytes whose CRC-32C the caller has verified (the stream
    /// envelope's record checksum), so the backend may derive its own checksums from it instead of reading the bytes
    /// again. The default ignores it.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <param name="crc32c">Their CRC-32C (Castagnoli), checked by the caller against the bytes; null when unknown.</param>
    void WriteData(ReadOnlySpan<byte> data, uint? crc32c) => WriteData(data);

    /// <summary>The initial and dirty byte counts during pre-copy.</summary>
    /// <returns>The counts.</returns>
    PrecopyInfo GetPrecopyInfo();

    /// <summary>An estimate of the STOP_COPY data size in bytes.</summary>
    /// <returns>The estimate.</returns>
    ulong GetStopCopySize();

    /// <summary>Resets the device; afterwards <see cref="State"/> is RUNNING, as the kernel's reset does.</summary>
    void Reset();
}
