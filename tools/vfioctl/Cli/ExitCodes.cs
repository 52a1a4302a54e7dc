using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>The process exit codes vfioctl documents (docs/operator-guide.md, "Exit codes").</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked; for <c>check</c>, the device is compatible.</summary>
    public const int Ok = 0;

    /// <summary>Anything not listed below: manager, sysfs, definitions, model documents, options.</summary>
    public const int Other = 1;

    /// <summary>The source cannot migrate to the destination (E3xxx), or <c>check</c> found problems.</summary>
    public const int Incompatible = 2;

    /// <summary>The device or the kernel refused (E1xxx, E4xxx): a state change, a region access, a load.</summary>
    public const int DeviceError = 3;

    /// <summary>The migration stream was wrong, truncated or corrupt (E5xxx).</summary>
    public const int StreamError = 4;

    /// <summary><c>conform</c>: the device ran and failed at least one conformance check (E4011).</summary>
    public const int ConformanceFailed = 5;

    /// <summary>The command line itself was wrong (BSD sysexits EX_USAGE; E7001).</summary>
    public const int Usage = 64;

    /// <summary>
    /// A verb that moves device state was cancelled by a signal and rolled back (E6014): 128 plus the signal's number,
    /// as a shell reports a process the signal ended: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
    /// </summary>
    public static int Signalled(System.Runtime.InteropServices.PosixSignal signal) => 128 + TerminationSignals.Number(signal);

    /// <summary>An internal error: a bug, not the input or the host (BSD sysexits EX_SOFTWARE; E7099).</summary>
    public const int Internal = 70;

    /// <summary>Maps a catalogue code to its exit code by range, so a new code in a range needs no change here; the
    /// exceptions are E4011, whose verb ran to the end and found a device that breaks the contract, and E7099, a bug.</summary>
    public static int For(ErrorCode code) => code switch
    {
        ErrorCode.ConformanceFailed => ConformanceFailed,
        ErrorCode.InternalError => Internal,
        _ => ByRange(code),
    };

    private static int ByRange(ErrorCode code) => ((int)code / 1000) switch
    {
        1 or 4 => DeviceError,
        3 => Incompatible,
        5 => StreamError,
        7 => Usage,
        _ => Other,
    };
}
