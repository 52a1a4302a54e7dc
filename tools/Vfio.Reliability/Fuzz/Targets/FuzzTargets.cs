namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>Every fuzz target, in report order.</summary>
internal static class FuzzTargets
{
    /// <summary>All targets; those that need files work under <paramref name="workDirectory"/>.</summary>
    public static IReadOnlyList<FuzzTarget> All(string workDirectory) =>
    [
        .. BinaryTargets.All(),
        .. TextTargets.All(),
        .. JsonTargets.All(),
        .. new HostFileTargets(workDirectory).All(),
    ];
}
