using Vfio.DeviceModels.Streams;

namespace Vfio.Manager.Migration;

/// <summary>
/// How a migration moves the state. Passed to each orchestrator call, or bound from configuration (section
/// <c>Migration</c> in a service: <c>services.AddMdevManager()</c> registers it, validated at start).
/// </summary>
public sealed class MigrationOptions
{
    /// <summary>Whether to pre-copy while the source runs, when the source supports PRE_COPY. Default true.</summary>
    public bool UsePreCopy { get; set; } = true;

    /// <summary>
    /// The most pre-copy rounds before the source is stopped, whatever is still dirty (QEMU converges the same way:
    /// a bounded number of rounds, then stop-copy). Default 8; 0 disables pre-copy.
    /// </summary>
    public int MaxPreCopyIterations { get; set; } = 8;

    /// <summary>
    /// Pre-copy ends once <c>VFIO_MIG_GET_PRECOPY_INFO</c> reports at most this many initial plus dirty bytes: what
    /// is left is small enough to send with the source stopped. Default 64 KiB.
    /// </summary>
    public long DirtyBytesThreshold { get; set; } = 64 * 1024;

    /// <summary>Chunk size of the stream envelope; bounds memory on both sides. Default 1 MiB.</summary>
    public int ChunkSize { get; set; } = MigrationStreamWriter.DefaultChunkSize;

    /// <summary>
    /// Channels the stop-copy data is split over (docs/stream-format.md "Channels"), 1 to 64. One is the plain format
    /// 1.0 stream; N writes chunk i to channel i mod N, each channel an envelope of its own, checksummed and written
    /// in parallel. A save needs N outputs and a load N inputs; migrate opens N in-process channels. Default 1.
    /// </summary>
    public int Channels { get; set; } = 1;

    /// <summary>
    /// Proceed past refusals the operator may override (<see cref="Vfio.Errors.ErrorCatalogue.Forceable"/>: a configuration the
    /// destination does not accept, a load destination that has run); every overridden problem is logged as a warning
    /// and in the migration log, and listed in <see cref="MigrationOutcome.Overridden"/>. A model mismatch, a bad
    /// stream and every device refusal still fail. Default false.
    /// </summary>
    public bool Force { get; set; }

    /// <summary>The defaults (a new instance each time: the options are settable, for configuration binding).</summary>
    public static MigrationOptions Default => new();

    internal void Validate() => MigrationOptionsValidator.ThrowIfInvalid(this);
}
