using System.CommandLine;
using Vfio.Ctl.Cli;
using Vfio.Tests.Vfioctl.Support;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// <see cref="RootCommandDefinition.Create"/> builds only the verb a command line names (after nothing but global
/// options): that command line must parse, fail and print help exactly as with every verb built.
/// </summary>
public sealed class VerbTreeTests
{
    private const string Uuid = "a0000000-0000-4000-8000-000000000001";

    // What may follow the verb: help in every spelling, unknown and misplaced options, other verbs' names, directives,
    // response files, bundles, values in every form, the root's own options.
    private static readonly string[][] Suffixes =
    [
        [],
        ["--help"],
        ["-h"],
        ["-?"],
        ["/?"],
        ["/h"],
        ["--version"],
        ["--bogus"],
        ["-vh"],
        ["-hv"],
        ["--help", "--bogus"],
        ["--bogus", "--help"],
        ["list"],
        ["types", "--help"],
        ["describe", Uuid],
        ["completion", "bash"],
        ["[suggest]"],
        ["[suggest:3]", "lis"],
        ["@/nonexistent/response-file"],
        ["--", "--help"],
        ["--", "list"],
        ["--emulated"],
        ["--emulated", "list"],
        ["--emulated=/tmp/a"],
        ["--emulated:/tmp/a", "-v"],
        ["--sysfs-root", "relative", "--config-root", "/etc/mdevctl.d"],
        ["-u", Uuid],
        ["-u", "not-a-uuid"],
        ["-u"],
        ["-p", "0000:00:03.0", "-t", "mynic-4q"],
        ["--dumpjson", "--defined"],
        [Uuid, "--state"],
        [Uuid, "-o", "-"],
        ["-o", "-", "--help"],
        ["fleet", "--max", "0"],
        ["bash"],
        ["zsh", "extra"],
    ];

    // What may come before the verb: nothing, the global options (some of which keep the whole tree: a value the root
    // reads as a token, a form other than "--option value"), and other words.
    private static readonly string[][] Prefixes =
    [
        [],
        ["-v"],
        ["--verbose", "--emulated", "/tmp/a"],
        ["--sysfs-root", "/s", "--config-root", "/c", "-v"],
        ["--emulated", "list"],
        ["--emulated", "-h"],
        ["--emulated", "/h"],
        ["--emulated", "/?"],
        ["--emulated", "@/nonexistent/response-file"],
        ["--emulated"],
        ["--emulated=/tmp/a"],
        ["-vh"],
        ["/h"],
        ["--version"],
        ["[suggest:6]"],
        ["fleet"],
        ["--"],
    ];

    /// <summary>A root with the options of <see cref="RootCommandDefinition.Create"/>'s and no verb.</summary>
    private static RootCommand Probe()
    {
        var root = new RootCommand();
        GlobalOptions.AddTo(root);
        return root;
    }

    private static CliApplication App() => new(TextWriter.Null, TextWriter.Null, () => Stream.Null, () => Stream.Null);

    public static TheoryData<string> VerbNames() => [.. Verbs.All.Select(v => v.Name)];

    [Fact]
    public void Each_verb_is_listed_under_its_commands_name_without_aliases()
    {
        CliApplication app = App();
        Assert.Equal(Verbs.All.Select(v => v.Name), Verbs.All.Select(v => v.Define(app).Name));
        Assert.All(Verbs.All, v => Assert.Empty(v.Define(app).Aliases));
        Assert.Equal(Verbs.All.Select(v => v.Name), RootCommandDefinition.Create(app).Subcommands.Select(c => c.Name));
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public void A_command_line_that_names_a_verb_after_global_options_is_built_with_that_verb_alone(string verb)
    {
        CliApplication app = App();
        foreach (string[] args in (string[][])[[verb, "--help"], ["-v", verb], ["--emulated", "/tmp/a", "--verbose", verb, "list"], ["--sysfs-root", "relative", verb]])
        {
            Assert.Equal([verb], RootCommandDefinition.Create(app, args).Subcommands.Select(c => c.Name));
        }
        // No verb, or something before it other than a global option with a plain value: every verb.
        foreach (string[] args in (string[][])[[], [verb.ToUpperInvariant()], ["[suggest:4]", verb], ["--emulated", verb], ["--emulated", "types", verb],
            ["--emulated", "/h", verb], ["--emulated=/tmp/a", verb], ["-vh", verb], ["--bogus", verb], ["x", verb], ["--help", verb]])
        {
            Assert.Equal(Verbs.All.Length, RootCommandDefinition.Create(app, args).Subcommands.Count);
        }
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public void A_command_line_parses_as_in_the_whole_tree(string verb)
    {
        CliApplication app = App();
        RootCommand whole = RootCommandDefinition.Create(app);
        int compared = 0;
        foreach (string[] prefix in Prefixes)
        {
            foreach (string[] suffix in Suffixes)
            {
                string[] args = [.. prefix, verb, .. suffix];
                if (RootCommandDefinition.NamedVerb(Probe(), args) is null)
                {
                    // Built with every verb: the whole tree itself.
                    continue;
                }
                RootCommand alone = RootCommandDefinition.Create(app, args);
                Assert.Single(alone.Subcommands);
                Assert.Equal(Describe(whole.Parse(args)), Describe(alone.Parse(args)));
                compared++;
            }
        }
        Assert.Equal(4 * Suffixes.Length, compared);
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public async Task A_verbs_help_is_printed_as_in_the_whole_tree(string verb)
    {
        foreach (string[] args in (string[][])[[verb, "--help"], [verb, "-h"], [verb, "-?"], [verb, "--bogus", "--help"], [verb, "list", "--help"],
            ["-v", "--emulated", "/tmp/a", verb, "--help"]])
        {
            CliResult alone = await Cli.RunAsync(args);
            CliResult whole = await RunWholeTreeAsync(args);
            Assert.Equal((whole.ExitCode, whole.Out, whole.Err), (alone.ExitCode, alone.Out, alone.Err));
            Assert.Contains("Usage:", alone.Out, StringComparison.Ordinal);
        }
    }

    private static async Task<CliResult> RunWholeTreeAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var app = new CliApplication(output, error, () => Stream.Null, () => Stream.Null, errorIsTerminal: false, outputIsTerminal: false, inputIsTerminal: false);
        int code = await app.RunAsync(RootCommandDefinition.Create(app), args);
        return new CliResult(code, output.ToString(), error.ToString(), []);
    }

    // The command reached, the tokens as classified, the errors (each message once: a verb's definition adds its
    // validators to static options, so a test process that builds the tree again and again repeats them), what was
    // left unmatched, and the action that would run.
    private static string Describe(ParseResult result) => string.Join("\n",
    [
        "command: " + string.Join(" ", CommandPath(result.CommandResult.Command)),
        "tokens: " + string.Join(" | ", result.Tokens.Select(t => $"{t.Type}:{t.Value}")),
        "errors: " + string.Join(" | ", result.Errors.Select(e => e.Message).Distinct()),
        "unmatched: " + string.Join(" | ", result.UnmatchedTokens),
        "action: " + result.Action?.GetType().Name,
    ]);

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }
        return names;
    }
}
