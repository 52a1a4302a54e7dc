using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Conformance;

/// <summary>What one conformance check concluded.</summary>
public enum CheckOutcome
{
    /// <summary>The device does what the kernel's contract requires.</summary>
    Pass = 0,

    /// <summary>The device is within the contract but departs from what vfio.h recommends ("should"); not a failure.</summary>
    Warn = 1,

    /// <summary>The device breaks the contract.</summary>
    Fail = 2,

    /// <summary>The check does not apply to this device (a flag it lacks, a protocol without the feature, nothing to load).</summary>
    Skip = 3,
}

/// <summary>One row of a conformance report.</summary>
/// <param name="Name">The check's stable name (see <see cref="ConformanceChecks"/>), e.g. <c>stop-copy-eof</c> or <c>arc:STOP->STOP_COPY</c>.</param>
/// <param name="Outcome">Pass, warn, fail or skip.</param>
/// <param name="Detail">What was observed: for a failure the arc, the call and what vfio.h expects.</param>
public sealed record ConformanceCheck(string Name, CheckOutcome Outcome, string Detail);

/// <summary>The result of running the conformance kit on one device.</summary>
/// <param name="Device">The device's name.</param>
/// <param name="Protocol">The migration protocol the device speaks.</param>
/// <param name="Features">The flags the checks were planned with (for v1, the v1 region's STOP_COPY|PRE_COPY view).</param>
/// <param name="Checks">Every check, in the order they ran.</param>
public sealed record ConformanceReport(string Device, MigrationProtocolKind Protocol, MigrationFeatures Features, IReadOnlyList<ConformanceCheck> Checks)
{
    /// <summary>True when no check failed (warnings and skips do not fail a device).</summary>
    public bool Passed => Checks.All(c => c.Outcome != CheckOutcome.Fail);

    /// <summary>The checks that failed.</summary>
    public IEnumerable<ConformanceCheck> Failures => Checks.Where(c => c.Outcome == CheckOutcome.Fail);

    /// <summary>The check of that name.</summary>
    /// <param name="name">A check name.</param>
    /// <returns>The check.</returns>
    /// <exception cref="KeyNotFoundException">When the report has no such check.</exception>
    public ConformanceCheck this[string name] =>
        Checks.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"the report has no check '{name}'");
}

/// <summary>A migration stream saved earlier (by an older build of the device's driver) that the device must still load.</summary>
/// <param name="Name">Where it came from, for the report (e.g. a file name).</param>
/// <param name="Data">The device data exactly as the source's data_fd produced it (no envelope).</param>
public sealed record SavedStream(string Name, ReadOnlyMemory<byte> Data);

/// <summary>What the conformance kit is given besides the device.</summary>
public sealed class ConformanceOptions
{
    /// <summary>Streams of older builds to load (<see cref="ConformanceChecks.SavedStreamsLoad"/>); empty skips that check.</summary>
    public IReadOnlyList<SavedStream> SavedStreams { get; init; } = [];

    /// <summary>Streams offered but not for this device (another model or configuration), with why; reported, not loaded.</summary>
    public IReadOnlyList<string> SavedStreamsSkipped { get; init; } = [];

    /// <summary>
    /// The most STOP_COPY data read before the kit decides the stream has no end; null for eight times the device's
    /// MIG_DATA_SIZE estimate, at least 64 MiB.
    /// </summary>
    public long? MaxStreamBytes { get; init; }
}
