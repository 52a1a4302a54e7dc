using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Vfioctl.Commands.Abort;
using Vfioctl.Commands.Capabilities;
using Vfioctl.Commands.Check;
using Vfioctl.Commands.Completion;
using Vfioctl.Commands.Conform;
using Vfioctl.Commands.Define;
using Vfioctl.Commands.Demo;
using Vfioctl.Commands.Describe;
using Vfioctl.Commands.Fault;
using Vfioctl.Commands.Find;
using Vfioctl.Commands.List;
using Vfioctl.Commands.Load;
using Vfioctl.Commands.Migrate;
using Vfioctl.Commands.Models;
using Vfioctl.Commands.Publish;
using Vfioctl.Commands.Modify;
using Vfioctl.Commands.Resume;
using Vfioctl.Commands.Save;
using Vfioctl.Commands.Start;
using Vfioctl.Commands.Stop;
using Vfioctl.Commands.Traffic;
using Vfioctl.Commands.Types;
using Vfioctl.Commands.Undefine;

namespace Vfioctl.Cli;

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
