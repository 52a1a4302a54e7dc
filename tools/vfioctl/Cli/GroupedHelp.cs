using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Vfio.Ctl.Cli;

/// <summary>
/// <c>vfioctl --help</c> in two groups: the operator's verbs under "Commands:", and the lab verbs (<see cref="Verbs.Lab"/>:
/// <c>traffic</c>, <c>fault</c>, <c>demo</c>), which only act on an emulated host, in a section of their own after them.
/// The lab verbs keep their names and their own <c>--help</c>; only the root's help lists them apart.
/// </summary>
internal sealed class GroupedHelp(HelpAction standard, RootCommand root) : SynchronousCommandLineAction
{
    public const string Heading = "Lab commands (emulated hosts only, --emulated DIR; docs/manager.md, \"Run your own device under vfioctl --emulated\"):";

    /// <summary>As the standard help: <c>vfioctl traffic --help</c> needs no UUID.</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.CommandResult.Command != root)
        {
            return standard.Invoke(parseResult);
        }
        // The standard help, with the lab verbs' rows (and their wrapped continuation lines) taken out of "Commands:".
        TextWriter output = parseResult.InvocationConfiguration.Output;
        using var text = new StringWriter();
        parseResult.InvocationConfiguration.Output = text;
        int code;
        try
        {
            code = standard.Invoke(parseResult);
        }
        finally
        {
            parseResult.InvocationConfiguration.Output = output;
        }
        Command[] lab = [.. root.Subcommands.Where(c => Verbs.Lab.Contains(c.Name, StringComparer.Ordinal))];
        bool skipping = false;
        foreach (string line in text.ToString().Split('\n').SkipLast(1))
        {
            bool row = line.StartsWith("  ", StringComparison.Ordinal) && line.Length > 2 && line[2] != ' ';
            if (row)
            {
                skipping = lab.Any(c => line[2..].StartsWith(c.Name + " ", StringComparison.Ordinal));
            }
            else if (!line.StartsWith("    ", StringComparison.Ordinal))
            {
                skipping = false;
            }
            if (!skipping)
            {
                output.WriteLine(line.TrimEnd('\r'));
            }
        }
        string[] names = [.. lab.Select(c => string.Join(" ", [c.Name, .. c.Arguments.Where(a => !a.Hidden).Select(a => $"<{a.Name}>")]))];
        int width = names.Max(n => n.Length) + 2;
        output.WriteLine(Heading);
        for (int i = 0; i < lab.Length; i++)
        {
            output.WriteLine($"  {names[i].PadRight(width)}{lab[i].Description}");
        }
        output.WriteLine();
        return code;
    }

    /// <summary>Lists the lab verbs in their own section of the root's help, after the operator's verbs.</summary>
    public static void Apply(RootCommand root)
    {
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new GroupedHelp((HelpAction)help.Action!, root);
    }
}
