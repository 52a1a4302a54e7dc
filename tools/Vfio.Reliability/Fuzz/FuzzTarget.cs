namespace Vfio.Reliability.Fuzz;

/// <summary>
/// One parser under fuzzing: its name, the valid inputs its mutations start from, and the code that feeds it one
/// input. <see cref="Run"/> must end in success or throw what the parser throws; it must not catch anything.
/// </summary>
/// <param name="Name">Stable name used by <c>--target</c>, in reports and in crash file names.</param>
/// <param name="Description">What the target reads and through which code.</param>
/// <param name="Seeds">Builds the seed corpus (valid inputs, mostly written by the project's own writers).</param>
/// <param name="Run">Feeds one input to the parser.</param>
internal sealed record FuzzTarget(string Name, string Description, Func<IReadOnlyList<byte[]>> Seeds, Action<byte[]> Run);
