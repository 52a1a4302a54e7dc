namespace Vfio.Sdk.Testing;

/// <summary>Every case <see cref="MigrationTestKit.Prove{TDevice}"/> ran, each with what moved.</summary>
public sealed class MigrationProof
{
    internal MigrationProof(IReadOnlyList<MigrationCaseResult> cases)
    {
        Cases = cases;
    }

    /// <summary>The cases, in the order they ran: each direction, each configuration, stop-copy then pre-copy.</summary>
    public IReadOnlyList<MigrationCaseResult> Cases { get; }

    /// <summary>The case with the given builds, configuration and mode.</summary>
    /// <param name="sourceBuild">The source's implementation id.</param>
    /// <param name="destinationBuild">The destination's implementation id.</param>
    /// <param name="configuration">The source configuration's text, as the kit ran it (e.g. <c>version=2</c>).</param>
    /// <param name="preCopy">The mode.</param>
    /// <returns>The case.</returns>
    /// <exception cref="InvalidOperationException">No such case ran.</exception>
    public MigrationCaseResult Case(string sourceBuild, string destinationBuild, string configuration, bool preCopy) =>
        Cases.FirstOrDefault(c => c.SourceBuild == sourceBuild && c.DestinationBuild == destinationBuild && c.Configuration == configuration && c.PreCopy == preCopy)
        ?? throw new InvalidOperationException(
            $"no case {sourceBuild} -> {destinationBuild}, {configuration}, {(preCopy ? "pre-copy" : "stop-copy")}; the cases are:{Environment.NewLine}{this}");

    /// <summary>One line per case.</summary>
    /// <returns>The lines.</returns>
    public override string ToString() => string.Join(Environment.NewLine, Cases);
}
