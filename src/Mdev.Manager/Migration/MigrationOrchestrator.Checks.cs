using Vfio;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Streams;

namespace Mdev.Manager;

// Steps 1-2: model and configuration checks. Nothing here opens a device or moves state.
public sealed partial class MigrationOrchestrator
{
    /// <summary>
    /// Steps 1 and 2 alone: whether <paramref name="source"/> can migrate to <paramref name="destination"/>, with every
    /// problem found, without opening either device.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <returns>The check's result; when compatible, the configuration the destination runs or will be created with.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, <see cref="ErrorCode.TypeNotFound"/>,
    /// <see cref="ErrorCode.MigrationInfoMissing"/> and other reasons the two sides cannot even be described.</exception>
    public CompatibilityResult Check(MigrationSource source, MigrationDestination destination)
    {
        CompatibilityResult result = Plan(source, destination).Result;
        if (!result.IsCompatible)
        {
            _logger.CompatibilityRefused(source.Device.ToString(), destination.ExistingDevice?.ToString() ?? $"{destination.Parent}/{destination.Type}", string.Join("; ", result.Problems));
        }
        return result;
    }

    /// <summary>
    /// Whether <c>--force</c> may proceed past every one of <paramref name="codes"/>: only when each is in
    /// <see cref="ErrorCatalogue.Forceable"/> (a model mismatch, a bad stream, a device refusal never are).
    /// </summary>
    /// <param name="codes">The refusals' codes.</param>
    /// <returns>True when all can be forced.</returns>
    public static bool CanForce(IEnumerable<ErrorCode> codes) => codes.All(ErrorCatalogue.CanBeForced);

    /// <summary>
    /// Logs refusals an operator forced past, loudly: one warning per problem (event 613) and one line per problem in
    /// the host's migration log (<c>var/lib/vfio-migrate/migration.log</c>). A log that cannot be written fails the
    /// forced operation before anything moves: an override is never unrecorded.
    /// </summary>
    /// <param name="host">The host whose migration log records it.</param>
    /// <param name="verb">The verb that was forced (<c>migrate</c>, <c>load</c>, <c>start --like</c>).</param>
    /// <param name="device">The device it concerns.</param>
    /// <param name="problems">The overridden problems.</param>
    /// <exception cref="VfioFileException">The migration log could not be written.</exception>
    public void RecordForced(MigrationHost host, string verb, string device, IReadOnlyList<ForcedProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(problems);
        MigrationJournal journal = MigrationJournal.Of(host);
        foreach (ForcedProblem problem in problems)
        {
            _logger.ForcedPast(device, verb, ErrorCatalogue.Id(problem.Code), ErrorCatalogue.Name(problem.Code), problem.Message);
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

    // A refusal --force may pass: logged and recorded in the outcome; false (nothing logged) when not forced or not forceable.
    private bool TryForce(bool force, MigrationHost host, string verb, string device, IReadOnlyList<ForcedProblem> problems, MigrationOutcome outcome)
    {
        if (!force || !CanForce(problems.Select(p => p.Code)))
        {
            return false;
        }
        RecordForced(host, verb, device, problems);
        outcome.Overridden = [.. outcome.Overridden, .. problems];
        return true;
    }

    private static ForcedProblem[] Forced(CompatibilityResult result) => [.. result.Problems.Select(p => new ForcedProblem(p.Code, p.Message))];

    private static MigrationPlan Plan(MigrationSource source, MigrationDestination destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        DeviceConfiguration sourceConfiguration = source.Host.Host.ReadConfiguration(source.Device);
        string sourceName = source.Device.ToString();
        if (destination.ExistingDevice is MdevUuid existing)
        {
            DeviceConfiguration destinationConfiguration = destination.Host.Host.ReadConfiguration(existing);
            return new MigrationPlan(sourceConfiguration,
                CompatibilityChecker.Check(sourceConfiguration, destinationConfiguration, sourceName, existing.ToString()), null);
        }
        MdevType type = destination.Host.Host.GetSupportedType(destination.Parent!.Value, destination.Type!.Value);
        MigrationInfo info = TypeDocuments.Require(type, destination.NewDeviceUuid!.Value);
        // A type that describes another model still gets the check, which reports the model mismatch (step 1).
        ModelDescription description = info.Find(sourceConfiguration.ModelId) ?? info.Models[0];
        return new MigrationPlan(sourceConfiguration, CompatibilityChecker.Check(sourceConfiguration, description, sourceName), description);
    }

    /// <summary>The stream-level guard of step 3, run once more before anything moves: the header the source will write must suit the destination.
    /// With <paramref name="forced"/> (the configuration refusal was overridden) only the model must match: a model mismatch is never forced.</summary>
    private static void CheckHeader(OpenedDevice source, OpenedDevice destination, bool forced) =>
        HeaderCheck(destination, forced)(MigrationStreamHeader.For(source.Configuration, source.Name));

    private static Action<MigrationStreamHeader> HeaderCheck(OpenedDevice destination, bool forced) => forced
        ? header => StreamHeaderValidator.Check(new MigrationStreamHeader(header.ModelId, destination.Configuration.ToString(), header.DeviceName), destination.Configuration, destination.Name)
        : StreamHeaderValidator.ForDestination(destination.Configuration, destination.Name);

    private static DeviceModelException Refusal(CompatibilityResult result)
    {
        try
        {
            result.ThrowIfIncompatible();
        }
        catch (DeviceModelException e)
        {
            return e;
        }
        throw new InvalidOperationException("a compatible result has no refusal");
    }

    private sealed record MigrationPlan(DeviceConfiguration SourceConfiguration, CompatibilityResult Result, ModelDescription? TypeModel);
}
