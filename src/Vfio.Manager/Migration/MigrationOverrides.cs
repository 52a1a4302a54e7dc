using Microsoft.Extensions.Logging;
using Vfio.DeviceModels;
using Vfio.Errors;

namespace Vfio.Manager.Migration;

/// <summary>
/// <c>--force</c>: whether a refusal may be overridden (<see cref="ErrorCatalogue.Forceable"/>), and the loud record of
/// every override (a warning, event 613, and a line in the host's migration log) before anything moves.
/// </summary>
internal sealed class MigrationOverrides(ILogger logger)
{
    public static bool CanForce(IEnumerable<ErrorCode> codes) => codes.All(ErrorCatalogue.CanBeForced);

    public static ForcedProblem[] Of(CompatibilityResult result) => [.. result.Problems.Select(p => new ForcedProblem(p.Code, p.Message))];

    /// <summary>Logs and records each overridden problem; a migration log that cannot be written fails the operation first.</summary>
    public void Record(MigrationEndpoint endpoint, string verb, string device, IReadOnlyList<ForcedProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(problems);
        MigrationJournal journal = MigrationJournal.Of(endpoint);
        foreach (ForcedProblem problem in problems)
        {
            logger.ForcedPast(device, verb, ErrorCatalogue.Id(problem.Code), ErrorCatalogue.Name(problem.Code), problem.Message);
            try
            {
                journal.AppendLog($"{verb} --force {device}: {problem}");
            }
            catch (Exception e) when (FileFault.Is(e))
            {
                throw FileFault.From(e, $"recording the override of {ErrorCatalogue.Id(problem.Code)} in the migration log", journal.LogPath, "nothing was moved or created");
            }
        }
    }

    /// <summary>A refusal --force may pass: logged and listed in the outcome; false (nothing logged) when not forced or not forceable.</summary>
    public bool TryForce(bool force, MigrationEndpoint endpoint, string verb, string device, IReadOnlyList<ForcedProblem> problems, MigrationOutcome outcome)
    {
        if (!force || !CanForce(problems.Select(p => p.Code)))
        {
            return false;
        }
        Record(endpoint, verb, device, problems);
        outcome.Overridden = [.. outcome.Overridden, .. problems];
        return true;
    }
}
