using Vfio.Devices;

namespace Vfio.Migration;

/// <summary>One arc of the v2 migration state machine.</summary>
/// <param name="From">The state the arc leaves.</param>
/// <param name="To">The state the arc enters.</param>
public readonly record struct StateArc(MigrationState From, MigrationState To)
{
    /// <inheritdoc />
    public override string ToString() => $"{From} -> {To}";
}
