using System.CommandLine;
using Vfioctl.Commands.Capabilities;
using Vfioctl.Commands.Check;
using Vfioctl.Commands.Define;
using Vfioctl.Commands.Describe;
using Vfioctl.Commands.Find;
using Vfioctl.Commands.List;
using Vfioctl.Commands.Models;
using Vfioctl.Commands.Modify;
using Vfioctl.Commands.Start;
using Vfioctl.Commands.Stop;
using Vfioctl.Commands.Traffic;
using Vfioctl.Commands.Save;
using Vfioctl.Commands.Load;
using Vfioctl.Commands.Migrate;
using Vfioctl.Commands.Resume;
using Vfioctl.Commands.Abort;
using Vfioctl.Commands.Fault;
using Vfioctl.Commands.Demo;
using Vfioctl.Commands.Types;
using Vfioctl.Commands.Undefine;

namespace Vfioctl.Cli;

/// <summary>The command tree. Tab completion comes from System.CommandLine's <c>[suggest]</c> directive.</summary>
internal static class RootCommandDefinition
{
    public static RootCommand Create(CliApplication app)
    {
        var root = new RootCommand("vfioctl: create, pin, check and migrate VFIO mediated devices (mdevctl-compatible verbs)");
        GlobalOptions.AddTo(root);
        Command[] verbs =
        [
            TypesCommandDefinition.Create(app),
            ListCommandDefinition.Create(app),
            DefineCommandDefinition.Create(app),
            UndefineCommandDefinition.Create(app),
            ModifyCommandDefinition.Create(app),
            StartCommandDefinition.Create(app),
            StopCommandDefinition.Create(app),
            DescribeCommandDefinition.Create(app),
            ModelsCommandDefinition.Create(app),
            CapabilitiesCommandDefinition.Create(app),
            CheckCommandDefinition.Create(app),
            FindCommandDefinition.Create(app),
            SaveCommandDefinition.Create(app),
            LoadCommandDefinition.Create(app),
            MigrateCommandDefinition.Create(app),
            ResumeCommandDefinition.Create(app),
            AbortCommandDefinition.Create(app),
            TrafficCommandDefinition.Create(app),
            FaultCommandDefinition.Create(app),
            DemoCommandDefinition.Create(app),
        ];
        foreach (Command verb in verbs)
        {
            root.Subcommands.Add(verb);
        }
        return root;
    }
}
