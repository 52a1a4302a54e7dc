using System.CommandLine;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 21: the demo's story and every verb's <c>--help</c> against golden files (tests/testdata/vfioctl/demo.txt and
/// help/&lt;verb&gt;.txt), so a wording change shows in review as a diff of those files. After an intended change,
/// regenerate them with one command and commit the diff:
/// <code>VFIOCTL_REGEN=1 dotnet test tests/vfioctl.Tests --filter "FullyQualifiedName~Golden"</code>
/// A new verb gets its help golden from <see cref="Verbs.All"/> automatically (missing until regenerated).
/// </summary>
public sealed class GoldenOutputTests
{
    /// <summary>The root (<c>vfioctl</c>) and every verb, in --help's order.</summary>
    public static TheoryData<string> Commands()
    {
        using var app = new CliApplication(TextWriter.Null, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false);
        var data = new TheoryData<string> { "vfioctl" };
        foreach (Command verb in RootCommandDefinition.Create(app).Subcommands)
        {
            data.Add(verb.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_of_each_command_matches_its_golden_file(string command)
    {
        // A real process with its stdout redirected: help is laid out without a terminal's width, the same everywhere.
        CliResult help = command == "vfioctl" ? await BuiltCli.RunAsync("--help") : await BuiltCli.RunAsync(command, "--help");

        Assert.True(help.ExitCode == 0, help.Err);
        Assert.Empty(help.Err);
        Golden.Match($"help/{command}.txt", help.Out);
    }

    [Fact]
    public async Task Demo_story_matches_its_golden_file()
    {
        // Fixed UUIDs, seeded traffic and emulated devices make the story the same on every run; its temporary root
        // is never printed, so nothing needs masking. Both streams are kept: stderr must stay empty.
        CliResult demo = await Cli.RunAsync(["demo"]);

        Assert.True(demo.ExitCode == 0, demo.Err);
        Golden.Match("demo.txt", demo.Out + "--- stderr\n" + demo.Err);
    }
}
