using System.Globalization;
using Vfio.Manager.Migration;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Reliability.Faults;

/// <summary>The step of a migration a cell breaks.</summary>
internal enum FaultStep
{
    /// <summary><c>vfioctl save S -o FILE</c>: the source half alone.</summary>
    Save,

    /// <summary><c>vfioctl save S -o - | relay | vfioctl load D -i -</c>: two processes and the channel between them.</summary>
    Transfer,

    /// <summary><c>vfioctl load D -i FILE</c>: the destination half alone, from a saved file.</summary>
    Load,

    /// <summary><c>vfioctl migrate S --to-type P/T</c>: all three steps in one process.</summary>
    Migrate,
}

/// <summary>The kinds of fault the matrix injects.</summary>
internal enum FaultKind
{
    /// <summary>The device refuses one state arc and stays where it was.</summary>
    ArcRefused,

    /// <summary>One state arc fails with the device going to ERROR.</summary>
    DeviceError,

    /// <summary>The stream ends early: the channel closes, the file is truncated, or the device's data ends.</summary>
    StreamCut,

    /// <summary>One byte of the stream or of the device's data is flipped.</summary>
    CorruptByte,

    /// <summary>A vfioctl process is killed (SIGKILL) at a migration checkpoint.</summary>
    Killed,
}

/// <summary>The two kernel protocols, each on its own emulated host (the demo's two NIC builds).</summary>
internal enum Protocol
{
    /// <summary>The v1 migration region (old NIC build, Linux 5.8-5.17).</summary>
    V1,

    /// <summary>The v2 VFIO_DEVICE_FEATURE state machine (current NIC build, Linux 5.18+).</summary>
    V2,
}

/// <summary>Where a fault is applied.</summary>
internal enum FaultTarget
{
    /// <summary>The source device (its arcs or its data).</summary>
    Source,

    /// <summary>An existing destination device (its arcs).</summary>
    Destination,

    /// <summary>The bytes in the channel or in the file.</summary>
    Stream,

    /// <summary>The process that saves.</summary>
    SaveProcess,

    /// <summary>The process that loads (or migrates).</summary>
    LoadProcess,
}

/// <summary>One cell of the matrix: a step, a protocol, pre-copy on or off, and one fault.</summary>
internal sealed record FaultCell(FaultStep Step, Protocol Protocol, bool PreCopy, FaultKind Kind, FaultTarget Target, string Detail)
{
    /// <summary>The arc, for arc faults.</summary>
    public StateArc? Arc { get; init; }

    /// <summary>The checkpoint, for kills.</summary>
    public MigrationCheckpoint? Checkpoint { get; init; }

    /// <summary>
    /// The byte offset, for cuts and corruptions; a negative offset counts from the end of the source's device data
    /// (-1 is its last byte), resolved against the saved template of the cell's protocol and pre-copy setting.
    /// </summary>
    public long? Offset { get; init; }

    /// <summary>
    /// The catalogue code the step must fail with, leaving the source RUNNING (e.g. <c>E4012</c> for device data changed
    /// past its preamble); null when only the four rules apply. A cell that sets it does not hold if the step succeeds.
    /// </summary>
    public string? ExpectedCode { get; init; }

    /// <summary>A stable name: step/protocol/precopy/fault/detail, matched by <c>--only</c>.</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture,
        $"{Step.ToString().ToLowerInvariant()}/{Protocol.ToString().ToLowerInvariant()}/{(PreCopy ? "precopy" : "no-precopy")}/{Kind}/{Target}:{Detail}");
}
