namespace Vfio.Manager.Migration;

/// <summary>A progress report of a migration, save or load.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Bytes">Device data bytes sent (or, for a load, received) so far.</param>
/// <param name="Iteration">The pre-copy round, 0 outside pre-copy.</param>
public readonly record struct MigrationProgress(MigrationPhase Phase, long Bytes, int Iteration);
