namespace Vfio.Emulation;

/// <summary>
/// Deliberate bugs an <see cref="EmulatedVfioDevice"/> can be given, one contract violation each, so that CI proves the
/// driver conformance kit (<c>Vfio.Conformance.ConformanceKit</c>) catches them. A healthy device has none; each
/// member documents the rule of <c>include/uapi/linux/vfio.h</c> it breaks and the kit's check that names it.
/// </summary>
[Flags]
public enum EmulatedDriverBugs
{
    /// <summary>No bug: the device follows the kernel's contract.</summary>
    None = 0,

    /// <summary>SET of ERROR succeeds and puts the device in ERROR (vfio.h: "ERROR cannot be specified as a device state").
    /// Caught by <c>arcs-outside-table-refused</c>.</summary>
    AcceptsErrorTarget = 1 << 0,

    /// <summary>A SET the device refuses (a state it does not have) first moves it to STOP: a refused request changed the
    /// state although no arc of the table leads there. Caught by <c>refused-arc-keeps-state</c>.</summary>
    RefusalMovesState = 1 << 1,

    /// <summary>STOP to STOP_COPY returns no data_fd (vfio.h: the arc "will return a new data_fd").
    /// Caught by <c>data-fd-per-arc</c>.</summary>
    NoDataFdOnStopCopy = 1 << 2,

    /// <summary>STOP_COPY data never ends: after the real data, reads return filler forever (vfio.h: "End of stream on
    /// the FD indicates the entire device state has been transferred"). Caught by <c>stop-copy-eof</c>.</summary>
    EndlessStopCopyData = 1 << 3,

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO's initial_bytes grows with every query instead of decreasing as data is
    /// read. Caught by <c>precopy-info</c>.</summary>
    PrecopyInitialBytesGrow = 1 << 4,

    /// <summary>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE reports a sixty-fourth of the real STOP_COPY data.
    /// Caught by <c>mig-data-size</c>.</summary>
    UnderestimatesDataSize = 1 << 5,

    /// <summary>RESUMING swallows data its load code refuses and RESUMING to STOP succeeds anyway (vfio.h: invalid data
    /// "must fail the SET_STATE ioctl"). Caught by <c>resuming-rejects-garbage</c> and <c>resuming-rejects-truncated</c>.</summary>
    ResumingAcceptsGarbage = 1 << 6,

    /// <summary>VFIO_DEVICE_RESET of a device in ERROR leaves it in ERROR (vfio.h: reset returns "the device_state back
    /// to RUNNING"). Caught by <c>error-recovered-by-reset</c>.</summary>
    ResetKeepsError = 1 << 7,

    /// <summary>A data_fd still delivers bytes (and accepts writes) after the arc that ended its session.
    /// Caught by <c>data-fd-ends-with-session</c>.</summary>
    DataFdOutlivesSession = 1 << 8,

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO answers outside PRE_COPY and PRE_COPY_P2P instead of failing.
    /// Caught by <c>precopy-info-outside-precopy</c>.</summary>
    PrecopyInfoOutsidePreCopy = 1 << 9,

    /// <summary>The driver takes only direct arcs and refuses a SET that the kernel's table reaches through others (vfio.h:
    /// "the remaining possible transitions are interpreted as combinations of the above FSM arcs").
    /// Caught by <c>combination-arcs</c>.</summary>
    RefusesCombinationArcs = 1 << 10,

    /// <summary>Each write in RESUMING starts the load over, so only a stream written in one write() loads (vfio.h: "The user
    /// is not required to preserve buffer segmentation"). Caught by <c>resuming-any-segmentation</c>.</summary>
    ResumingKeepsLastWriteOnly = 1 << 11,
}

/// <summary>The kebab-case names of <see cref="EmulatedDriverBugs"/> members, as <c>vfioctl fault --driver-bug</c> and
/// <c>faults.json</c> spell them.</summary>
public static class EmulatedDriverBugNames
{
    // Plain arrays and loops, no LINQ or frozen dictionary: vfioctl's fault verb puts All in its help text, so this
    // runs at every vfioctl start, where a NativeAOT build resolves LINQ's generic virtual calls at run time.
    private static readonly EmulatedDriverBugs[] Bugs = Array.FindAll(Enum.GetValues<EmulatedDriverBugs>(), b => b != EmulatedDriverBugs.None);

    private static readonly string[] BugNames = Array.ConvertAll(Bugs, Name);

    /// <summary>Every bug's name, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(BugNames);

    /// <summary>The name of one bug, e.g. <c>no-data-fd-on-stop-copy</c>.</summary>
    /// <param name="bug">A single bug.</param>
    /// <returns>Its kebab-case name.</returns>
    public static string Name(EmulatedDriverBugs bug)
    {
        string pascal = bug.ToString();
        var sb = new System.Text.StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                sb.Append('-');
            }
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    /// <summary>The names of every bug set in <paramref name="bugs"/>.</summary>
    /// <param name="bugs">Any combination.</param>
    /// <returns>The names, in declaration order.</returns>
    public static IReadOnlyList<string> Names(EmulatedDriverBugs bugs)
    {
        var names = new List<string>(Bugs.Length);
        for (int i = 0; i < Bugs.Length; i++)
        {
            if ((bugs & Bugs[i]) == Bugs[i])
            {
                names.Add(BugNames[i]);
            }
        }
        return names.ToArray();
    }

    /// <summary>Parses one name exactly (no numbers, no lists).</summary>
    /// <param name="name">A name from <see cref="All"/>.</param>
    /// <param name="bug">The bug.</param>
    /// <returns>True when the name is known.</returns>
    public static bool TryParse(string? name, out EmulatedDriverBugs bug)
    {
        bug = EmulatedDriverBugs.None;
        int index = name is null ? -1 : Array.IndexOf(BugNames, name);
        if (index < 0)
        {
            return false;
        }
        bug = Bugs[index];
        return true;
    }
}
