using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// Whole-container helpers of the device-state format: save a state to bytes and load it back with the same
/// checks a <c>MigratableDevice</c> applies (unknown required fields refused, unknown optional fields skipped).
/// </summary>
/// <remarks>Used by tools and tests and by devices whose state is small; <c>MigratableDevice</c> streams the same
/// format in pieces instead of materialising it.</remarks>
public static class DeviceState
{
    /// <summary>The default limit on one encoded top-level field when loading, 1 GiB.</summary>
    public const long DefaultMaxFieldLength = 1L << 30;

    /// <summary>
    /// Encodes a complete container: preamble, one checksum frame covering the fields <paramref name="save"/> writes
    /// and the end marker.
    /// </summary>
    /// <param name="save">Writes the fields.</param>
    /// <returns>The encoded state.</returns>
    public static byte[] Save(Action<DeviceStateWriter> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        using var buffer = new StateBuffer();
        WriteFramed(buffer, save);
        return buffer.WrittenSpan.ToArray();
    }

    // Preamble, then one frame whose payload is the fields and the end marker.
    internal static void WriteFramed(StateBuffer buffer, Action<DeviceStateWriter> save)
    {
        DeviceStateFormat.WritePreamble(buffer.Append(DeviceStateFormat.PreambleLength));
        uint chain = DeviceStateFormat.ChainStart(buffer.WrittenSpan);
        int frameAt = buffer.Length;
        buffer.Append(DeviceStateFormat.FrameLength);
        save(new DeviceStateWriter(buffer, null, ""));
        buffer.Append(1)[0] = DeviceStateFormat.EndTag;
        DeviceStateFormat.SealFrame(buffer.At(frameAt, buffer.Length - frameAt), chain);
    }

    /// <summary>
    /// Recomputes every checksum frame of a framed container (format 1.1) in place, after bytes of it were changed on
    /// purpose: for a vendor's tests of its load code, which must see a saved value the device cannot run rather than
    /// be stopped by the checksum (<see cref="ErrorCode.DeviceStateChecksumMismatch"/>). Covered lengths are kept.
    /// </summary>
    /// <param name="state">A whole container, or the device data of a save session (the preamble and its frames).</param>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when it is not a framed
    /// container, or a frame's payload runs past its end.</exception>
    public static void Reseal(Span<byte> state)
    {
        if (state.Length < DeviceStateFormat.PreambleLength ||
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(state) != DeviceStateFormat.Magic)
        {
            throw StateErrors.ResealNoPreamble();
        }
        uint chain = DeviceStateFormat.ChainStart(state);
        int at = DeviceStateFormat.PreambleLength;
        while (at < state.Length)
        {
            Span<byte> rest = state[at..];
            if (rest.Length < DeviceStateFormat.FrameLength || rest[0] != DeviceStateFormat.FrameTag)
            {
                throw StateErrors.ResealNoFrame(at);
            }
            uint covered = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(rest[(DeviceStateFormat.FrameLength - 12)..]);
            if (covered > rest.Length - DeviceStateFormat.FrameLength)
            {
                throw StateErrors.ResealFramePastEnd(at, covered);
            }
            Span<byte> payload = rest.Slice(DeviceStateFormat.FrameLength, (int)covered);
            chain = DeviceStateFormat.WriteFrame(rest, covered, Streams.Crc32C.Compute(payload), chain);
            at += DeviceStateFormat.FrameLength + (int)covered;
        }
    }

    /// <summary>Decodes a container and runs <paramref name="load"/> over it, then refuses unread required fields.</summary>
    /// <param name="state">The encoded state.</param>
    /// <param name="device">The device name for messages.</param>
    /// <param name="load">Reads the fields.</param>
    /// <param name="maxFieldLength">Largest top-level field accepted.</param>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateChecksumMismatch"/> when a byte differs from
    /// what the saving side checksummed (checked before <paramref name="load"/> runs), <see cref="ErrorCode.DeviceStateMalformed"/>
    /// or <see cref="ErrorCode.DeviceStateFieldUnknown"/>.</exception>
    public static void Load(ReadOnlySpan<byte> state, string device, Action<DeviceStateReader> load, long maxFieldLength = DefaultMaxFieldLength)
    {
        ArgumentNullException.ThrowIfNull(load);
        using var assembler = new DeviceStateAssembler(device, maxFieldLength);
        assembler.Write(state);
        DeviceStateReader reader = assembler.Finish();
        load(reader);
        reader.Complete();
    }

    /// <summary>Records the schema of the fields <paramref name="save"/> writes (names, types, presence, since).</summary>
    /// <param name="modelId">The model the schema belongs to, for the document.</param>
    /// <param name="save">Writes the fields, as a device's save code does.</param>
    /// <returns>The schema.</returns>
    public static DeviceStateSchema ExportSchema(string modelId, Action<DeviceStateWriter> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        var recorder = new SchemaRecorder();
        using var buffer = new StateBuffer();
        save(new DeviceStateWriter(buffer, recorder, ""));
        return recorder.ToSchema(modelId);
    }
}
