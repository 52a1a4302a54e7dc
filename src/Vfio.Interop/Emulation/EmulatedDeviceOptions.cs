using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Emulation;

/// <summary>How an <see cref="EmulatedVfioDevice"/> presents itself.</summary>
public sealed class EmulatedDeviceOptions
{
    /// <summary>The migration protocol the device speaks.</summary>
    public MigrationProtocolKind Protocol { get; init; } = MigrationProtocolKind.V2Feature;

    /// <summary>
    /// The v2 flags the device reports; null for the backend's own. Must include STOP_COPY and be a subset of the
    /// backend's features. Ignored for v1 (a v1 device reports no v2 flags).
    /// </summary>
    public MigrationFeatures? Features { get; init; }

    /// <summary>Size of BAR0, backed by memory.</summary>
    public int Bar0Size { get; init; } = 4096;

    /// <summary>
    /// Size of the v1 migration region's data section, which starts at the first page boundary after the 32-byte
    /// header (so it can be mmap-ed, like real drivers' sparse-mmap data sections).
    /// </summary>
    public int V1DataSectionSize { get; init; } = 64 * 1024;
}
