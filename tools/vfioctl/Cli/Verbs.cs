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

    /// <summary>Each verb's name (its command's, checked by a test), how its command line is defined and how its behaviour
    /// class is registered.</summary>
    internal static readonly (string Name, Func<CliApplication, Command> Define, Action<IServiceCollection> Register)[] All =
    [
        ("types", TypesCommandDefinition.Create, static s => s.AddTransient<TypesCommand>()),
        ("list", ListCommandDefinition.Create, static s => s.AddTransient<ListCommand>()),
        ("define", DefineCommandDefinition.Create, static s => s.AddTransient<DefineCommand>()),
        ("undefine", UndefineCommandDefinition.Create, static s => s.AddTransient<UndefineCommand>()),
        ("modify", ModifyCommandDefinition.Create, static s => s.AddTransient<ModifyCommand>()),
        ("start", StartCommandDefinition.Create, static s => s.AddTransient<StartCommand>()),
        ("stop", StopCommandDefinition.Create, static s => s.AddTransient<StopCommand>()),
        ("describe", DescribeCommandDefinition.Create, static s => s.AddTransient<DescribeCommand>()),
        ("models", ModelsCommandDefinition.Create, static s => s.AddTransient<ModelsCommand>()),
        ("capabilities", CapabilitiesCommandDefinition.Create, static s => s.AddTransient<CapabilitiesCommand>()),
        ("check", CheckCommandDefinition.Create, static s => s.AddTransient<CheckCommand>()),
        ("find", FindCommandDefinition.Create, static s => s.AddTransient<FindCommand>()),
        ("publish", PublishCommandDefinition.Create, static s => s.AddTransient<PublishCommand>()),
        ("save", SaveCommandDefinition.Create, static s => s.AddTransient<SaveCommand>()),
        ("load", LoadCommandDefinition.Create, static s => s.AddTransient<LoadCommand>()),
        ("migrate", MigrateCommandDefinition.Create, static s => s.AddTransient<MigrateCommand>()),
        ("resume", ResumeCommandDefinition.Create, static s => s.AddTransient<ResumeCommand>()),
        ("abort", AbortCommandDefinition.Create, static s => s.AddTransient<AbortCommand>()),
        ("traffic", TrafficCommandDefinition.Create, static s => s.AddTransient<TrafficCommand>()),
        ("fault", FaultCommandDefinition.Create, static s => s.AddTransient<FaultCommand>()),
        ("conform", ConformCommandDefinition.Create, static s => s.AddTransient<ConformCommand>()),
        ("demo", DemoCommandDefinition.Create, static s => s.AddTransient<DemoCommand>()),
        ("completion", CompletionCommandDefinition.Create, static s => s.AddTransient<CompletionCommand>()),
    ];
}
