using Microsoft.Extensions.Logging;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Manager.Migration;

/// <summary>The orchestrator's log messages, source-generated with stable event ids (600-699).</summary>
internal static partial class MigrationLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "{Source}: migration to {Destination} starts ({Configuration})")]
    public static partial void MigrationStarting(this ILogger logger, string source, string destination, string configuration);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "{Source}: migration to {Destination} refused before any state moved: {Problems}")]
    public static partial void CompatibilityRefused(this ILogger logger, string source, string destination, string problems);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "{Device}: {From} -> {To}")]
    public static partial void Arc(this ILogger logger, string device, MigrationState from, MigrationState to);

    [LoggerMessage(EventId = 603, Level = LogLevel.Debug, Message = "{Device}: pre-copy round {Iteration} sent {Bytes} bytes, {Pending} pending")]
    public static partial void PreCopyRound(this ILogger logger, string device, int iteration, long bytes, ulong pending);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "{Device}: created as {Parent}/{Type} with {Configuration}")]
    public static partial void DestinationCreated(this ILogger logger, string device, string parent, string type, string configuration);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "{Device}: rolled back to {State} ({Recovery}) after {ErrorCode}")]
    public static partial void RolledBack(this ILogger logger, string device, MigrationState state, string recovery, string errorCode);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "{Device}: removed after {ErrorCode}; the orchestrator had created it")]
    public static partial void DestinationRemoved(this ILogger logger, string device, string errorCode);

    [LoggerMessage(EventId = 607, Level = LogLevel.Error, Message = "{Device}: rollback failed, the device needs attention: {Reason}")]
    public static partial void RollbackFailed(this ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 608, Level = LogLevel.Information, Message = "{Source} -> {Destination}: {Outcome}")]
    public static partial void Finished(this ILogger logger, string source, string destination, string outcome);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "{Device}: found the journal of an interrupted {Operation} (E6018 migration-interrupted); {Verb} finishes it")]
    public static partial void InterruptedMigrationFound(this ILogger logger, string device, string operation, string verb);

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "{Device}: resumed with --force although {Moved} (E6030 state-moved-away); the operator asserted that no other device runs its state")]
    public static partial void ResumeForced(this ILogger logger, string device, string moved);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "{Device}: the rollback after {ErrorCode} could not finish; the migration journal keeps the entry for resume or abort")]
    public static partial void RollbackIncomplete(this ILogger logger, string device, string errorCode);

    [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "{Device}: could not record that its state moved away ({Reason}); the migration journal keeps the entry")]
    public static partial void MovedNotRecorded(this ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 613, Level = LogLevel.Warning, Message = "{Device}: {Verb} --force proceeds past {ErrorCode} {ErrorName}: {Problem}")]
    public static partial void ForcedPast(this ILogger logger, string device, string verb, string errorCode, string errorName, string problem);
}
