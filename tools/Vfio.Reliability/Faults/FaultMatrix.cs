using Vfio.Manager.Migration;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Reliability.Faults;

/// <summary>
/// Builds the cells: step x protocol x pre-copy x fault, only where the fault can happen at that step (a save has no
/// reader to meet a corrupted byte; a load takes no source arc). Arcs are the direct arcs the device's backend takes,
/// planned with the same <see cref="MigrationArcs"/> the emulated device runs, so every refused arc is one the
/// migration really asks for.
/// </summary>
internal static class FaultMatrix
{
    // Offsets into a ~66 KiB stream written in 16 KiB chunks: inside the header, and inside the second data chunk.
    private const long HeaderOffset = 4;
    private const long DataOffset = 30_000;

    public static IReadOnlyList<FaultCell> Build(bool quick)
    {
        var cells = new List<FaultCell>();
        foreach (Protocol protocol in Enum.GetValues<Protocol>())
        {
            foreach (bool preCopy in new[] { true, false })
            {
                AddSave(cells, protocol, preCopy);
                AddTransfer(cells, protocol, preCopy);
                AddLoad(cells, protocol, preCopy);
                AddMigrate(cells, protocol, preCopy);
            }
        }
        return quick ? Quick(cells) : cells;
    }

    /// <summary>One cell per fault kind and protocol, spread over the steps, for CI.</summary>
    private static List<FaultCell> Quick(List<FaultCell> all)
    {
        var picks = new List<FaultCell>();
        FaultStep[] order = [FaultStep.Migrate, FaultStep.Transfer, FaultStep.Load, FaultStep.Save];
        int i = 0;
        foreach (Protocol protocol in Enum.GetValues<Protocol>())
        {
            foreach (FaultKind kind in Enum.GetValues<FaultKind>())
            {
                // Rotate the preferred step so the subset touches every step; fall back to any step that has the kind.
                FaultStep preferred = order[i++ % order.Length];
                FaultCell? cell = all.FirstOrDefault(c => c.Protocol == protocol && c.Kind == kind && c.Step == preferred && c.PreCopy == (i % 2 == 0))
                    ?? all.First(c => c.Protocol == protocol && c.Kind == kind);
                picks.Add(cell);
            }
        }
        return picks;
    }

    public static MigrationFeatures Features(Protocol protocol) => protocol == Protocol.V2
        ? MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy
        : MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;

    /// <summary>The direct arcs the source takes in a save: into pre-copy or stop-copy, on to stop-copy, then STOP.</summary>
    public static IReadOnlyList<StateArc> SourceArcs(Protocol protocol, bool preCopy)
    {
        MigrationState[] targets = preCopy
            ? [MigrationState.PreCopy, MigrationState.StopCopy, MigrationState.Stop]
            : [MigrationState.StopCopy, MigrationState.Stop];
        return Walk(protocol, targets);
    }

    /// <summary>The direct arcs the destination takes in a load: into RESUMING, RESUMING to STOP, then RUNNING.</summary>
    public static IReadOnlyList<StateArc> DestinationArcs(Protocol protocol) =>
        Walk(protocol, [MigrationState.Resuming, MigrationState.Stop, MigrationState.Running]);

    private static List<StateArc> Walk(Protocol protocol, MigrationState[] targets)
    {
        var arcs = new List<StateArc>();
        MigrationState at = MigrationState.Running;
        foreach (MigrationState target in targets)
        {
            foreach (MigrationState next in MigrationArcs.PlanPath(at, target, Features(protocol)))
            {
                arcs.Add(new StateArc(at, next));
                at = next;
            }
        }
        return arcs;
    }

    private static void AddArcFaults(List<FaultCell> cells, FaultStep step, Protocol protocol, bool preCopy, FaultTarget target, IEnumerable<StateArc> arcs)
    {
        foreach (StateArc arc in arcs)
        {
            cells.Add(new FaultCell(step, protocol, preCopy, FaultKind.ArcRefused, target, arc.ToString()) { Arc = arc });
            cells.Add(new FaultCell(step, protocol, preCopy, FaultKind.DeviceError, target, arc.ToString()) { Arc = arc });
        }
    }

    private static void AddKills(List<FaultCell> cells, FaultStep step, Protocol protocol, bool preCopy, FaultTarget target, params MigrationCheckpoint[] points)
    {
        foreach (MigrationCheckpoint point in points)
        {
            if (!preCopy && point is MigrationCheckpoint.PreCopyStarted or MigrationCheckpoint.PreCopyRound)
            {
                continue;
            }
            cells.Add(new FaultCell(step, protocol, preCopy, FaultKind.Killed, target, point.ToString()) { Checkpoint = point });
        }
    }

    private static void AddSave(List<FaultCell> cells, Protocol protocol, bool preCopy)
    {
        AddArcFaults(cells, FaultStep.Save, protocol, preCopy, FaultTarget.Source, SourceArcs(protocol, preCopy));
        // The reader of 'save -o -' goes away after 20 000 bytes: a broken pipe.
        cells.Add(new FaultCell(FaultStep.Save, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Stream, "stdout closed at 20000") { Offset = 20_000 });
        AddKills(cells, FaultStep.Save, protocol, preCopy, FaultTarget.SaveProcess,
            MigrationCheckpoint.SourceOpened, MigrationCheckpoint.StreamHeaderWritten, MigrationCheckpoint.PreCopyStarted, MigrationCheckpoint.PreCopyRound,
            MigrationCheckpoint.StopCopyEntered, MigrationCheckpoint.StreamChunkWritten, MigrationCheckpoint.StreamComplete, MigrationCheckpoint.SourceStopped);
    }

    private static void AddTransfer(List<FaultCell> cells, Protocol protocol, bool preCopy)
    {
        StateArc stopCopy = SourceArcs(protocol, preCopy).First(a => a.To == MigrationState.StopCopy);
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.ArcRefused, FaultTarget.Source, stopCopy.ToString()) { Arc = stopCopy });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.DeviceError, FaultTarget.Source, stopCopy.ToString()) { Arc = stopCopy });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Stream, "channel closed at 100") { Offset = 100 });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Stream, $"channel closed at {DataOffset}") { Offset = DataOffset });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Source, $"device data ends at {DataOffset}") { Offset = DataOffset });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Stream, $"channel byte {HeaderOffset}") { Offset = HeaderOffset });
        cells.Add(new FaultCell(FaultStep.Transfer, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Stream, $"channel byte {DataOffset}") { Offset = DataOffset });
        // The source driver corrupts its output: save succeeds (its envelope is sound), load refuses the state (E4012).
        AddSourceCorruptions(cells, FaultStep.Transfer, protocol, preCopy, 300);
        AddKills(cells, FaultStep.Transfer, protocol, preCopy, FaultTarget.SaveProcess,
            MigrationCheckpoint.StreamHeaderWritten, MigrationCheckpoint.PreCopyStarted, MigrationCheckpoint.StopCopyEntered, MigrationCheckpoint.StreamChunkWritten);
        AddKills(cells, FaultStep.Transfer, protocol, preCopy, FaultTarget.LoadProcess,
            MigrationCheckpoint.DestinationCreated, MigrationCheckpoint.ResumingEntered, MigrationCheckpoint.DestinationLoaded, MigrationCheckpoint.DestinationRunning);
    }

    private static void AddLoad(List<FaultCell> cells, Protocol protocol, bool preCopy)
    {
        AddArcFaults(cells, FaultStep.Load, protocol, preCopy, FaultTarget.Destination, DestinationArcs(protocol));
        cells.Add(new FaultCell(FaultStep.Load, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Stream, "file truncated at 40") { Offset = 40 });
        cells.Add(new FaultCell(FaultStep.Load, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Stream, $"file truncated at {DataOffset}") { Offset = DataOffset });
        cells.Add(new FaultCell(FaultStep.Load, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Stream, $"file byte {HeaderOffset}") { Offset = HeaderOffset });
        cells.Add(new FaultCell(FaultStep.Load, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Stream, $"file byte {DataOffset}") { Offset = DataOffset });
        AddKills(cells, FaultStep.Load, protocol, preCopy, FaultTarget.LoadProcess,
            MigrationCheckpoint.DestinationCreated, MigrationCheckpoint.ResumingEntered, MigrationCheckpoint.DestinationLoaded, MigrationCheckpoint.DestinationRunning);
    }

    private static void AddSourceCorruptions(List<FaultCell> cells, FaultStep step, Protocol protocol, bool preCopy, params long[] offsets)
    {
        foreach (long offset in offsets)
        {
            string detail = offset == -1 ? "device data last byte" : $"device data byte {offset}";
            cells.Add(new FaultCell(step, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Source, detail) { Offset = offset, ExpectedCode = "E4012" });
        }
    }

    private static void AddMigrate(List<FaultCell> cells, Protocol protocol, bool preCopy)
    {
        AddArcFaults(cells, FaultStep.Migrate, protocol, preCopy, FaultTarget.Source, SourceArcs(protocol, preCopy));
        AddArcFaults(cells, FaultStep.Migrate, protocol, preCopy, FaultTarget.Destination, DestinationArcs(protocol));
        cells.Add(new FaultCell(FaultStep.Migrate, protocol, preCopy, FaultKind.StreamCut, FaultTarget.Source, $"device data ends at {DataOffset}") { Offset = DataOffset });
        // The source's own data is corrupted: the envelope's CRC covers the bytes as the device produced them, so only
        // the device-state format's own checks can see this. Past the preamble its checksum frames must refuse the
        // change (E4012) wherever it is: in the first ring's descriptors (300), in a field value mid-stream, and in the
        // last byte (the end marker); at byte 0 the preamble check does (E4009). The channel is corrupted in transfer.
        AddSourceCorruptions(cells, FaultStep.Migrate, protocol, preCopy, 300, DataOffset, -1);
        cells.Add(new FaultCell(FaultStep.Migrate, protocol, preCopy, FaultKind.CorruptByte, FaultTarget.Source, "device data byte 0") { Offset = 0 });
        AddKills(cells, FaultStep.Migrate, protocol, preCopy, FaultTarget.LoadProcess, Enum.GetValues<MigrationCheckpoint>());
    }
}
