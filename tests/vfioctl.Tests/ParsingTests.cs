using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl;

/// <summary>The command tree parses what the operator guide documents and refuses the rest before any service starts.</summary>
public sealed class ParsingTests
{
    private const string Uuid = "a0000000-0000-4000-8000-000000000001";

    private static RootCommand Root() => RootCommandDefinition.Create(new CliApplication(TextWriter.Null, TextWriter.Null, () => Stream.Null, () => Stream.Null));

    [Theory]
    [InlineData("types", "--dumpjson")]
    [InlineData("list", "--defined", "--dumpjson", "-p", "0000:00:03.0")]
    [InlineData("define", "-u", Uuid, "-p", "0000:00:03.0", "-t", "mynic-4q", "--auto", "--config", "version=2,rx-filter-size=16")]
    [InlineData("define", "-u", Uuid)]
    [InlineData("start", "-p", "0000:00:03.0", "-t", "mynic-4q", "--config", "version=1")]
    [InlineData("start", "-u", Uuid)]
    [InlineData("modify", "-u", Uuid, "--manual", "--config", "version=1")]
    [InlineData("stop", "-u", Uuid)]
    [InlineData("describe", Uuid, "--state")]
    [InlineData("check", "-u", Uuid, "--to-type", "0000:00:03.0/mynic-4q", "--to-root", "/tmp/b")]
    [InlineData("check", "--device", "dev.json", "--to-host", "host.json")]
    [InlineData("find", "fleet", "-u", Uuid, "--max", "3")]
    [InlineData("save", Uuid, "-o", "-", "--no-precopy")]
    [InlineData("load", Uuid, "-i", "state.bin", "-p", "0000:00:03.0", "-t", "mynic-4q")]
    [InlineData("migrate", Uuid, "--to-type", "0000:00:03.0/mynic-4q", "--to-root", "/tmp/b", "--max-precopy-rounds", "2")]
    [InlineData("resume", Uuid, "--emulated", "/tmp/a")]
    [InlineData("--emulated", "/tmp/a", "abort", Uuid)]
    [InlineData("demo", "--root", "/tmp/demo")]
    public void Documented_command_lines_parse_without_errors(params string[] args)
    {
        ParseResult result = Root().Parse(args);

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("a UUID", "stop", "-u", "not-a-uuid")]
    [InlineData("a UUID", "describe", "1234")]
    [InlineData("--uuid", "stop")]
    [InlineData("--parent and --type", "define", "-p", "0000:00:03.0")]
    [InlineData("start needs --uuid", "start")]
    [InlineData("needs --parent", "start", "-t", "mynic-4q")]
    [InlineData("applies to a transient device", "start", "-u", Uuid, "--config", "version=1")]
    [InlineData("exactly one of --to <uuid> or --to-type", "migrate", Uuid)]
    [InlineData("exactly one of --to <uuid> or --to-type", "migrate", Uuid, "--to", Uuid, "--to-type", "p/t")]
    [InlineData("<parent>/<type>", "migrate", Uuid, "--to-type", "no-slash")]
    [InlineData("exactly one of --uuid or --device", "check", "--to-host", "h.json")]
    [InlineData("exactly one of --to, --to-type or --to-host", "check", "-u", Uuid)]
    [InlineData("--auto and --manual", "modify", "-u", Uuid, "--auto", "--manual")]
    [InlineData("--chunk-size must be at least 1", "save", Uuid, "--chunk-size", "0")]
    [InlineData("exactly one of --corrupt-byte", "fault", Uuid)]
    public void Wrong_usage_is_a_parse_error_that_says_what_is_wrong(string expected, params string[] args)
    {
        ParseResult result = Root().Parse(args);

        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Tab_completion_offers_the_verbs_and_their_options()
    {
        RootCommand root = Root();

        string[] verbs = [.. root.Parse("l").GetCompletions().Select(c => c.Label)];
        string[] listOptions = [.. root.Parse("list --d").GetCompletions().Select(c => c.Label)];

        Assert.Contains("list", verbs);
        Assert.Contains("load", verbs);
        Assert.DoesNotContain("save", verbs);
        Assert.Contains("--defined", listOptions);
        Assert.Contains("--dumpjson", listOptions);
    }
}
