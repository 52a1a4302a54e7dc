using System.CommandLine;

namespace Vfio.Ctl.Cli;

/// <summary>The command tree. Tab completion comes from System.CommandLine's <c>[suggest]</c> directive.</summary>
internal static class RootCommandDefinition
{
    public static RootCommand Create(CliApplication app)
    {
        var root = new RootCommand("vfioctl: create, pin, check and migrate VFIO mediated devices (mdevctl-compatible verbs)");
        GlobalOptions.AddTo(root);
        foreach (var verb in Verbs.All)
        {
            root.Subcommands.Add(verb.Define(app));
        }
        GroupedHelp.Apply(root);
        return root;
    }
}
