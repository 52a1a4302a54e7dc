using Vfio.Errors;

namespace Vfio.Reliability.Fuzz;

/// <summary>How one case ended, as judged by the oracle.</summary>
internal enum CaseVerdict
{
    /// <summary>The parser accepted the input.</summary>
    Success,

    /// <summary>The parser refused the input with a catalogue error (a <see cref="VfioException"/> with a defined code).</summary>
    CatalogueError,

    /// <summary>Any other exception, or a <see cref="VfioException"/> whose code is not in the catalogue.</summary>
    Crash,

    /// <summary>The case ran longer than the hang timeout.</summary>
    Hang,

    /// <summary>The case allocated more than the bound on its thread.</summary>
    OverAllocation,
}

/// <summary>The result of one case.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Code">The catalogue code of a <see cref="CaseVerdict.CatalogueError"/>.</param>
/// <param name="Exception">The exception of a crash (or of an over-allocating case that also threw).</param>
/// <param name="AllocatedBytes">Bytes allocated on the case's thread; -1 for a hang.</param>
internal readonly record struct CaseOutcome(CaseVerdict Verdict, ErrorCode? Code, Exception? Exception, long AllocatedBytes)
{
    /// <summary>True for crash, hang and over-allocation.</summary>
    public bool IsFailure => Verdict is CaseVerdict.Crash or CaseVerdict.Hang or CaseVerdict.OverAllocation;

    /// <summary>A short description for reports: the verdict, and the exception type and first line of a crash.</summary>
    public string Describe() => Verdict switch
    {
        CaseVerdict.CatalogueError => $"error {ErrorCatalogue.Id(Code!.Value)}",
        CaseVerdict.Crash => $"crash {Exception!.GetType().FullName}: {FirstLine(Exception.Message)}",
        CaseVerdict.OverAllocation => $"over-allocation {AllocatedBytes} bytes",
        CaseVerdict.Hang => "hang",
        _ => "success",
    };

    private static string FirstLine(string message)
    {
        int nl = message.IndexOf('\n', StringComparison.Ordinal);
        string line = nl < 0 ? message : message[..nl];
        return line.Length > 200 ? line[..200] + "..." : line;
    }
}
