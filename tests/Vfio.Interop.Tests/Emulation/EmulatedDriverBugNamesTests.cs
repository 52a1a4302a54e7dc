using Vfio.Emulation;

namespace Vfio.Tests.Emulation;

public sealed class EmulatedDriverBugNamesTests
{
    [Fact]
    public void Every_bug_has_a_kebab_case_name_in_declaration_order_that_parses_back()
    {
        EmulatedDriverBugs[] bugs = Enum.GetValues<EmulatedDriverBugs>()[1..];

        Assert.Equal(bugs.Length, EmulatedDriverBugNames.All.Count);
        Assert.Equal("accepts-error-target", EmulatedDriverBugNames.All[0]);
        Assert.Equal("no-data-fd-on-stop-copy", EmulatedDriverBugNames.Name(EmulatedDriverBugs.NoDataFdOnStopCopy));
        for (int i = 0; i < bugs.Length; i++)
        {
            Assert.Equal(EmulatedDriverBugNames.Name(bugs[i]), EmulatedDriverBugNames.All[i]);
            Assert.True(EmulatedDriverBugNames.TryParse(EmulatedDriverBugNames.All[i], out EmulatedDriverBugs parsed));
            Assert.Equal(bugs[i], parsed);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("No-Data-Fd-On-Stop-Copy")]
    [InlineData("none")]
    public void Other_names_do_not_parse(string? name)
    {
        Assert.False(EmulatedDriverBugNames.TryParse(name, out EmulatedDriverBugs bug));
        Assert.Equal(EmulatedDriverBugs.None, bug);
    }

    [Fact]
    public void Names_lists_the_bugs_set_in_declaration_order()
    {
        Assert.Empty(EmulatedDriverBugNames.Names(EmulatedDriverBugs.None));
        Assert.Equal(["refusal-moves-state", "resuming-accepts-garbage"],
            EmulatedDriverBugNames.Names(EmulatedDriverBugs.ResumingAcceptsGarbage | EmulatedDriverBugs.RefusalMovesState));
    }
}
