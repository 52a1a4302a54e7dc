using System.CommandLine;
using Vfioctl.Commands.Capabilities;
using Vfioctl.Commands.Check;
using Vfioctl.Commands.Find;
using Vfioctl.Commands.Models;
using Vfioctl.Commands.Types;

namespace Vfioctl.Cli;

/// <summary>The command tree. Tab completion comes from System.CommandLine's <c>[suggest]</c> directive.</summary>
internal static class RootCommandDefinition
{
    public static RootCommand Create(CliApplication app)
    {
        var root = new RootCommand("vfioctl: create, pin, check and migrate VFIO mediated devices (mdevctl-compatible verbs)");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(TypesCommandDefinition.Create(app));
        root.Subcommands.Add(ModelsCommandDefinition.Create(app));
        root.Subcommands.Add(CapabilitiesCommandDefinition.Create(app));
        root.Subcommands.Add(CheckCommandDefinition.Create(app));
        root.Subcommands.Add(FindCommandDefinition.Create(app));
        return root;
    }
}
