using System.Globalization;
using System.Text;
using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Devices;

namespace Vfio.Manager.Migration;

/// <summary>
/// What a migration, save, load, resume or abort did: whether it succeeded, the error code if not, and the state
/// each side was left in, so that "never both running, never neither without saying so" can be read off it.
/// </summary>
public sealed class MigrationOutcome
{
    internal MigrationOutcome()
    {
    }

    /// <summary>Whether the operation did what was asked.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The catalogue code of the failure, or null on success.</summary>
    public ErrorCode? Error => Exception?.Code;

    /// <summary>The failure, naming the device, the parameter, the value and what was expected; null on success.</summary>
    public VfioException? Exception { get; internal set; }

    /// <summary>The source device, or null for a load.</summary>
    public MdevUuid? Source { get; internal set; }

    /// <summary>The source's state at the end, or null when it was not touched or could not be read.</summary>
    public MigrationState? SourceState { get; internal set; }

    /// <summary>True when the operation failed before it touched the source (its checks refused): the source is as it was.</summary>
    public bool SourceUntouched { get; internal set; }

    /// <summary>The destination device, or null for a save or when no destination device exists.</summary>
    public MdevUuid? Destination { get; internal set; }

    /// <summary>The destination's state at the end, or null when it was not touched, was removed, or could not be read.</summary>
    public MigrationState? DestinationState { get; internal set; }

    /// <summary>Whether the orchestrator created the destination device.</summary>
    public bool DestinationCreated { get; internal set; }

    /// <summary>Whether the orchestrator removed the destination device it had created (after a failure).</summary>
    public bool DestinationRemoved { get; internal set; }

    /// <summary>Whether resume or abort found the migration journal entry of an interrupted migration (and finished it).</summary>
    public bool Interrupted { get; internal set; }

    /// <summary>The refusals a forced save, load or migration proceeded past (<see cref="MigrationOptions.Force"/>), each
    /// logged; empty when nothing was overridden.</summary>
    public IReadOnlyList<ForcedProblem> Overridden { get; internal set; } = [];

    /// <summary>For a resume with --force: the record of the state that had moved away, which the operator overrode; else null.</summary>
    public MovedAwayRecord? Forced { get; internal set; }

    /// <summary>Whether the operation stopped after the point of no return: the whole stream had left the source, so the
    /// source was left stopped (and marked as moved away) instead of being resumed.</summary>
    public bool StateLeft { get; internal set; }

    /// <summary>Whether a failed operation's rollback could not finish, so its migration journal entry was kept for resume or abort.</summary>
    public bool RollbackIncomplete { get; internal set; }

    /// <summary>Device data bytes moved.</summary>
    public long Bytes { get; internal set; }

    /// <summary>For a load: the migration stream's bytes received (envelope included), also when the stream broke.</summary>
    public long StreamBytes { get; internal set; }

    /// <summary>Pre-copy rounds run.</summary>
    public int PreCopyIterations { get; internal set; }

    /// <summary>Every compatibility problem found by steps 1-2 (empty when they passed or did not run).</summary>
    public IReadOnlyList<CompatibilityProblem> Problems { get; internal set; } = [];

    /// <summary>
    /// Whether no device is left running the guest: both sides stopped (for example a source stopped by a successful
    /// save, or the aftermath of a crash). The operator then decides between resume and abort.
    /// </summary>
    public bool NothingRunning => SourceState != MigrationState.Running && DestinationState != MigrationState.Running;

    /// <summary>Throws the failure, if any.</summary>
    /// <exception cref="VfioException">The operation's failure, with its code.</exception>
    public void ThrowIfFailed()
    {
        if (Exception is not null)
        {
            throw Exception;
        }
    }

    /// <summary>A one-line account: result, code, and both sides' final states.</summary>
    /// <returns>The account.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Succeeded ? "succeeded" : $"failed with {ErrorCatalogue.Id(Error!.Value)} {ErrorCatalogue.Name(Error.Value)}");
        if (Source is MdevUuid source)
        {
            text.Append(CultureInfo.InvariantCulture, $"; source {source} {SourceState?.ToString() ?? (SourceUntouched ? "untouched" : "unknown")}");
        }
        if (Destination is MdevUuid destination)
        {
            string state = DestinationRemoved ? "removed" : DestinationState?.ToString() ?? "untouched";
            text.Append(CultureInfo.InvariantCulture, $"; destination {destination} {state}");
        }
        text.Append(CultureInfo.InvariantCulture, $"; {Bytes} bytes");
        if (!Succeeded && StreamBytes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({StreamBytes} stream bytes received)");
        }
        return text.ToString();
    }
}

/// <summary>A refusal that <c>--force</c> proceeded past: its code and message.</summary>
/// <param name="Code">The catalogue code (one of <see cref="ErrorCatalogue.Forceable"/>).</param>
/// <param name="Message">What the refusal said.</param>
public sealed record ForcedProblem(ErrorCode Code, string Message)
{
    /// <summary>The stderr line: <c>warning: forced past E3005 configuration-mismatch: ...</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"forced past {ErrorCatalogue.Id(Code)} {ErrorCatalogue.Name(Code)}: {Message}";
}
