using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Commands.Check;
using Vfio.Ctl.Host;

namespace Vfio.Ctl.Commands.Start;

/// <summary>
/// <c>vfioctl start</c>: the manager's pinned creation (validate, create, write off values then wanted values,
/// read back, remove on failure), from a definition, from the command line, or like another device (<c>--like</c>
/// a device document, after the same check as <c>check --device ... --to-type</c>).
/// </summary>
internal sealed class StartCommand(MdevDefinitions definitions, MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console)
{
    public int Execute(MdevUuid? uuid, ParentDeviceName? parent, MdevTypeName? type, string? config)
    {
        MdevDevice device;
        if (type is MdevTypeName t)
        {
            // The configuration is parsed before a UUID is generated, so its errors never name a device that never existed.
            DeviceConfiguration? pinned = ConfigurationText.ForType(definitions.Host, parent!.Value, t, config, uuid);
            device = Create(parent.Value, t, uuid ?? MdevUuid.NewUuid(), uuid is null, pinned);
        }
        else
        {
            device = definitions.Start(uuid!.Value, parent);
        }
        if (uuid is null)
        {
            console.Output.WriteLine(device.Uuid);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// <c>start --like FILE|-</c>: a device of <paramref name="type"/> running exactly the document's model and
    /// configuration. The type must accept it (every problem is printed, the first one's code is the exit); with
    /// <paramref name="force"/> a configuration refusal (never a model mismatch) is overridden, logged, and the
    /// document's configuration is pinned as it is, which the type may still refuse (E2xxx).
    /// </summary>
    public int ExecuteLike(string documentPath, MdevUuid? uuid, ParentDeviceName parent, MdevTypeName type, bool force)
    {
        DeviceDocument document = CheckCommand.ReadDocument(documentPath, console);
        MdevHost host = definitions.Host;
        // The document need not state its off values: this host's descriptions of the model say them (check does the same).
        ForeignConfiguration source = document.ToForeign().WithOffValuesFrom(HostModels.Descriptions(host, document.Model));
        MdevType found = host.GetSupportedType(parent, type);
        MigrationInfo info = HostModels.Document(found)
            ?? throw CliErrors.TypeHasNoMigrationInfo($"{parent}/{type}", "", ": it cannot be checked against the document.");
        ModelDescription model = info.Find(source.Model) ?? info.Models[0];
        CompatibilityResult result = CheckCommand.CheckType(source, info);
        DeviceConfiguration configuration;
        if (result.IsCompatible)
        {
            configuration = result.DestinationConfiguration!;
        }
        else
        {
            ForcedProblem[] problems = [.. result.Problems.Select(p => new ForcedProblem(p.Code, p.Message))];
            if (!force || !MigrationOrchestrator.CanForce(problems.Select(p => p.Code)))
            {
                console.Error.WriteLine($"type {parent}/{type} cannot run {source.Model} [{document.Configuration}]: {result.Problems.Count} problem(s); nothing was created");
                CheckCommand.WriteProblems(console.Error, result);
                if (force)
                {
                    console.Error.WriteLine($"--force does not override {string.Join(", ", problems.Where(p => !ErrorCatalogue.CanBeForced(p.Code)).Select(p => ErrorCatalogue.Id(p.Code)).Distinct())} (docs/errors.md, \"Can be forced\")");
                }
                result.ThrowIfIncompatible();
            }
            orchestrator.RecordForced(hosts.Local, "start --like", document.Uuid ?? $"{parent}/{type}", problems);
            CommonOptions.WarnForced(console.Error, problems);
            configuration = DeviceConfiguration.Parse(model, document.Configuration, document.Uuid);
        }
        MdevDevice device = Create(parent, type, uuid ?? MdevUuid.NewUuid(), uuid is null, configuration);
        if (uuid is null)
        {
            console.Output.WriteLine(device.Uuid);
        }
        return ExitCodes.Ok;
    }

    // A UUID generated here names no device that ever existed, so a refusal of the creation does not quote it.
    private MdevDevice Create(ParentDeviceName parent, MdevTypeName type, MdevUuid id, bool generated, DeviceConfiguration? configuration)
    {
        try
        {
            return definitions.Host.Create(parent, type, id, configuration);
        }
        catch (VfioException e) when (generated && e.Code == ErrorCode.NoInstancesAvailable)
        {
            throw CliErrors.NoInstanceCreated(parent.ToString(), type.ToString(), e);

        }
    }
}
