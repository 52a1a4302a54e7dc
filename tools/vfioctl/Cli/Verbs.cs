using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Vfio.Ctl.Commands.Abort;
using Vfio.Ctl.Commands.Capabilities;
using Vfio.Ctl.Commands.Check;
using Vfio.Ctl.Commands.Completion;
using Vfio.Ctl.Commands.Conform;
using Vfio.Ctl.Commands.Define;
using Vfio.Ctl.Commands.Demo;
using Vfio.Ctl.Commands.Describe;
using Vfio.Ctl.Commands.Fault;
using Vfio.Ctl.Commands.Find;
using Vfio.Ctl.Commands.List;
using Vfio.Ctl.Commands.Load;
using Vfio.Ctl.Commands.Migrate;
using Vfio.Ctl.Commands.Models;
using Vfio.Ctl.Commands.Publish;
using Vfio.Ctl.Commands.Modify;
using Vfio.Ctl.Commands.Resume;
using Vfio.Ctl.Commands.Save;
using Vfio.Ctl.Commands.Start;
using Vfio.Ctl.Commands.Stop;
using Vfio.Ctl.Commands.Traffic;
using Vfio.Ctl.Commands.Types;
using Vfio.Ctl.Commands.Undefine;

namespace Vfio.Ctl.Cli;

/// <summary>Every verb once: how its command line is defined and how its behaviour class is registered, in the order
/// <c>--help</c> lists them. A new verb is one line here.</summary>
internal static class Verbs
{
    /// <summary>The lab verbs: they act on an emulated host only, and <c>--help</c> lists them apart (<see cref="GroupedHelp"/>).</summary>
    internal static readonly string[] Lab = ["traffic", "fault", "demo"];

    internal static readonly (Func<CliApplication, Command> Define, Action<IServiceCollection> Register)[] All =
    [
        (TypesCommandDefinition.Create, static s => s.AddTransient<TypesCommand>()),
        (ListCommandDefinition.Create, static s => s.AddTransient<ListCommand>()),
        (DefineCommandDefinition.Create, static s => s.AddTransient<DefineCommand>()),
        (UndefineCommandDefinition.Create, static s => s.AddTransient<UndefineCommand>()),
        (ModifyCommandDefinition.Create, static s => s.AddTransient<ModifyCommand>()),
        (StartCommandDefinition.Create, static s => s.AddTransient<StartCommand>()),
        (StopCommandDefinition.Create, static s => s.AddTransient<StopCommand>()),
        (DescribeCommandDefinition.Create, static s => s.AddTransient<DescribeCommand>()),
        (ModelsCommandDefinition.Create, static s => s.AddTransient<ModelsCommand>()),
        (CapabilitiesCommandDefinition.Create, static s => s.AddTransient<CapabilitiesCommand>()),
        (CheckCommandDefinition.Create, static s => s.AddTransient<CheckCommand>()),
        (FindCommandDefinition.Create, static s => s.AddTransient<FindCommand>()),
        (PublishCommandDefinition.Create, static s => s.AddTransient<PublishCommand>()),
        (SaveCommandDefinition.Create, static s => s.AddTransient<SaveCommand>()),
        (LoadCommandDefinition.Create, static s => s.AddTransient<LoadCommand>()),
        (MigrateCommandDefinition.Create, static s => s.AddTransient<MigrateCommand>()),
        (ResumeCommandDefinition.Create, static s => s.AddTransient<ResumeCommand>()),
        (AbortCommandDefinition.Create, static s => s.AddTransient<AbortCommand>()),
        (TrafficCommandDefinition.Create, static s => s.AddTransient<TrafficCommand>()),
        (FaultCommandDefinition.Create, static s => s.AddTransient<FaultCommand>()),
        (ConformCommandDefinition.Create, static s => s.AddTransient<ConformCommand>()),
        (DemoCommandDefinition.Create, static s => s.AddTransient<DemoCommand>()),
        (CompletionCommandDefinition.Create, static s => s.AddTransient<CompletionCommand>()),
    ];
}
