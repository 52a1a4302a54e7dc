using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Emulation;

/// <summary>
/// Fault injection points of an <see cref="EmulatedVfioDevice"/>, so tests can prove the rollback rules: each
/// property left null injects nothing. Faults stay armed until cleared. Arcs are v2 arcs for both protocols (a v1
/// <c>device_state</c> write runs the same backend arcs).
/// </summary>
public sealed class EmulatedFaults
{
    /// <summary>The device refuses this arc and stays in the state it was in, as a driver failing the SET does.</summary>
    public StateArc? RefuseArc { get; set; }

    /// <summary>The device fails this arc and reports ERROR until it is reset.</summary>
    public StateArc? ErrorOnArc { get; set; }

    /// <summary>
    /// The data session stops after this many bytes: a save reads its end (0) early; a resume write past it fails
    /// as a kernel write would (<see cref="ErrorCode.KernelCallFailed"/>, EIO).
    /// </summary>
    public long? CutStreamAfterBytes { get; set; }

    /// <summary>The byte at this offset of the saved data is flipped (all bits) on its way out.</summary>
    public long? CorruptSavedByteAt { get; set; }

    /// <summary>
    /// After this many bytes of a session, the next read or write throws <see cref="EmulatedCrashException"/>: the
    /// process "dies" mid-copy, leaving the device wherever it was.
    /// </summary>
    public long? CrashAfterBytes { get; set; }

    /// <summary>
    /// Deliberate driver bugs (contract violations) for the conformance kit's own tests; <see cref="EmulatedDriverBugs.None"/>
    /// for a healthy device.
    /// </summary>
    public EmulatedDriverBugs DriverBugs { get; set; }

    /// <summary>Disarms every fault.</summary>
    public void Clear()
    {
        DriverBugs = EmulatedDriverBugs.None;
        RefuseArc = null;
        ErrorOnArc = null;
        CutStreamAfterBytes = null;
        CorruptSavedByteAt = null;
        CrashAfterBytes = null;
    }
}
