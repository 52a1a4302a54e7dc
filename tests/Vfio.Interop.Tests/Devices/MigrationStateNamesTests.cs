using Vfio.Devices;

namespace Vfio.Tests.Devices;

/// <summary>
/// Regression (fuzz run, docs/reliability.md): state names in files were parsed with Enum.TryParse, which also takes
/// numbers and comma-separated lists of names (OR-ed together). The strict parser takes exactly one name.
/// </summary>
public sealed class MigrationStateNamesTests
{
    [Theory]
    [InlineData("Error", MigrationState.Error)]
    [InlineData("Running", MigrationState.Running)]
    [InlineData("StopCopy", MigrationState.StopCopy)]
    [InlineData("PreCopyP2P", MigrationState.PreCopyP2P)]
    public void EveryName_ParsesToItsState(string text, MigrationState expected)
    {
        Assert.True(MigrationStateNames.TryParse(text, out MigrationState state));
        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("Stop, Running")]
    [InlineData("Stop,Running")]
    [InlineData(" Running")]
    [InlineData("Running ")]
    [InlineData("running")]
    [InlineData("")]
    [InlineData(null)]
    public void NumbersListsPaddingAndOtherCase_AreRefused(string? text)
    {
        Assert.False(MigrationStateNames.TryParse(text, out _));
    }

    [Fact]
    public void IgnoreCase_AcceptsAnyCaseButStillNoNumbers()
    {
        Assert.True(MigrationStateNames.TryParse("STOPCOPY", ignoreCase: true, out MigrationState state));
        Assert.Equal(MigrationState.StopCopy, state);
        Assert.False(MigrationStateNames.TryParse("3", ignoreCase: true, out _));
        Assert.False(MigrationStateNames.TryParse("STOP,RUNNING", ignoreCase: true, out _));
    }
}
