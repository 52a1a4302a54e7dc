using System.CommandLine;

namespace Vfio.Ctl.Cli;

/// <summary>The command tree. Tab completion comes from System.CommandLine's <c>[suggest]</c> directive.</summary>
internal static class RootCommandDefinition
{
    public const string Description = "vfioctl: create, pin, check and migrate VFIO mediated devices (mdevctl-compatible verbs)";

    /// <summary>
    /// The command tree for <paramref name="args"/>: every verb, or only the verb the command line names. The parser
    /// reads what follows a verb in that verb's context alone (its options and subcommands and the root's recursive
    /// options: the other verbs are not tokens there), so that verb parses, fails, completes and prints its help exactly
    /// as in the whole tree. What comes before the verb must read alike without the other verbs too: only the global
    /// options are let through there, each value one that is no token of the root (no verb, no option, no response file).
    /// Anything else (no verb: the root's help, a directive such as <c>[suggest:N]</c>, an unknown option) gets every
    /// verb. Building every verb was 3% of a native <c>vfioctl types</c> (docs/benchmarks.md, "CLI start-up").
    /// </summary>
    /// <param name="app">The run the verbs' actions call back into.</param>
    /// <param name="args">The command line; null for every verb.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(CliApplication app, IReadOnlyList<string>? args = null)
    {
        var root = new RootCommand(Description);
        GlobalOptions.AddTo(root);
        string? only = args is null ? null : NamedVerb(root, args);
        foreach (var verb in Verbs.All)
        {
            if (only is null || verb.Name == only)
            {
                root.Subcommands.Add(verb.Define(app));
            }
        }
        GroupedHelp.Apply(root);
        return root;
    }

    /// <summary>The verb <paramref name="args"/> names after nothing but global options (as <c>--emulated DIR list</c>), or null.</summary>
    internal static string? NamedVerb(RootCommand root, IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (IsVerb(args[i]))
            {
                return args[i];
            }
            Option? option = null;
            foreach (Option candidate in root.Options)
            {
                if (candidate.Name == args[i] || candidate.Aliases.Contains(args[i]))
                {
                    option = candidate;
                }
            }
            if (option is null || !(option == GlobalOptions.Verbose || GlobalOptions.TakesPath(option)))
            {
                return null;
            }
            if (option != GlobalOptions.Verbose)
            {
                // The path: a word no tree reads as a token of the root, whatever verbs it holds.
                if (++i >= args.Count || !IsPlainValue(root, args[i]))
                {
                    return null;
                }
            }
        }
        return null;
    }

    private static bool IsVerb(string arg) => Array.Exists(Verbs.All, v => v.Name == arg);

    private static bool IsPlainValue(RootCommand root, string value)
    {
        if (value.Length == 0 || value[0] is '-' or '@' or '[' || IsVerb(value) || value == root.Name)
        {
            return false;
        }
        foreach (Option option in root.Options)
        {
            if (option.Name == value || option.Aliases.Contains(value))
            {
                return false;
            }
        }
        return true;
    }
}
