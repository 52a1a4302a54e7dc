using Vfio.Devices;
using Vfio.Migration;
using Vfio.Reliability.Faults;

namespace Vfio.Tests.Reliability;

/// <summary>
/// The fault matrix at CI size: the quick subset (one cell per fault kind and protocol, spread over the steps) runs
/// the real vfioctl as child processes, and every cell must hold. The full matrix is docs/reliability.md's figure.
/// </summary>
public sealed class FaultMatrixTests
{
    [Fact]
    public void Matrix_covers_every_step_protocol_precopy_and_fault_kind()
    {
        IReadOnlyList<FaultCell> all = FaultMatrix.Build(quick: false);
        IReadOnlyList<FaultCell> quick = FaultMatrix.Build(quick: true);

        foreach (FaultStep step in Enum.GetValues<FaultStep>())
        {
            foreach (Protocol protocol in Enum.GetValues<Protocol>())
            {
                Assert.Contains(all, c => c.Step == step && c.Protocol == protocol && c.PreCopy);
                Assert.Contains(all, c => c.Step == step && c.Protocol == protocol && !c.PreCopy);
            }
        }
        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enum.GetValues<FaultKind>().Length * Enum.GetValues<Protocol>().Length, quick.Count);
        Assert.All(Enum.GetValues<FaultKind>(), kind => Assert.Contains(quick, c => c.Kind == kind));
        // Pre-copy checkpoints only where pre-copy runs.
        Assert.DoesNotContain(all, c => !c.PreCopy && c.Checkpoint is Vfio.Manager.Migration.MigrationCheckpoint.PreCopyStarted or Vfio.Manager.Migration.MigrationCheckpoint.PreCopyRound);
    }

    [Fact]
    public void Arcs_are_the_direct_arcs_each_protocol_takes()
    {
        // v2 with P2P goes RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY; v1 has no P2P state.
        Assert.Equal(
            [new StateArc(MigrationState.Running, MigrationState.RunningP2P), new StateArc(MigrationState.RunningP2P, MigrationState.Stop),
             new StateArc(MigrationState.Stop, MigrationState.StopCopy), new StateArc(MigrationState.StopCopy, MigrationState.Stop)],
            FaultMatrix.SourceArcs(Protocol.V2, preCopy: false));
        Assert.Equal(
            [new StateArc(MigrationState.Running, MigrationState.Stop), new StateArc(MigrationState.Stop, MigrationState.Resuming),
             new StateArc(MigrationState.Resuming, MigrationState.Stop), new StateArc(MigrationState.Stop, MigrationState.Running)],
            FaultMatrix.DestinationArcs(Protocol.V1));
    }

    [Fact]
    public async Task Quick_matrix_holds_in_every_cell()
    {
        string root = Directory.CreateTempSubdirectory("fault-matrix-test-").FullName;
        try
        {
            var output = new StringWriter();
            IReadOnlyList<CellResult> results = await FaultMatrixRun.RunAsync(
                new FaultMatrixRun.Options(root, Quick: true, Jobs: 2, Markdown: null, Only: null, Vfioctl: null, Keep: false), output);

            Assert.Equal(10, results.Count);
            Assert.All(results, r => Assert.True(r.Held, $"{r.Cell.Id}: {string.Join("; ", r.Problems)}\n{output}"));
            // Every kill was named E6018 by the recovery (the runner checks every other failure for its code).
            Assert.All(results.Where(r => r.Cell.Kind == FaultKind.Killed), r => Assert.Contains("E6018", r.Codes));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
