using Vfio.Conformance;
using Vfio.Devices;
using Vfio.Emulation;

namespace Vfio.Tests.Samples.Conformance;

/// <summary>
/// CI proves the kit catches bugs: the sample NIC (every flag) behind an emulated device given one deliberate driver
/// bug at a time fails, and the check that fails is the one that names that bug.
/// </summary>
public sealed class ConformanceBrokenDriverTests
{
    public static TheoryData<EmulatedDriverBugs, string> Bugs() => new()
    {
        { EmulatedDriverBugs.AcceptsErrorTarget, ConformanceChecks.ArcsOutsideTableRefused },
        { EmulatedDriverBugs.RefusalMovesState, ConformanceChecks.RefusedArcKeepsState },
        { EmulatedDriverBugs.NoDataFdOnStopCopy, ConformanceChecks.DataFdPerArc },
        { EmulatedDriverBugs.EndlessStopCopyData, ConformanceChecks.StopCopyEof },
        { EmulatedDriverBugs.PrecopyInitialBytesGrow, ConformanceChecks.PrecopyInfoSane },
        { EmulatedDriverBugs.UnderestimatesDataSize, ConformanceChecks.MigDataSize },
        { EmulatedDriverBugs.ResumingAcceptsGarbage, ConformanceChecks.ResumingRejectsGarbage },
        { EmulatedDriverBugs.ResetKeepsError, ConformanceChecks.ErrorRecoveredByReset },
        { EmulatedDriverBugs.DataFdOutlivesSession, ConformanceChecks.DataFdEndsWithSession },
        { EmulatedDriverBugs.PrecopyInfoOutsidePreCopy, ConformanceChecks.PrecopyInfoOutsidePreCopy },
        { EmulatedDriverBugs.RefusesCombinationArcs, ConformanceChecks.CombinationArcs },
        { EmulatedDriverBugs.ResumingKeepsLastWriteOnly, ConformanceChecks.ResumingAnySegmentation },
    };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void The_check_that_names_the_bug_fails(EmulatedDriverBugs bug, string check)
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: true, bugs: bug);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.False(report.Passed);
        ConformanceCheck failed = report[check];
        Assert.True(failed.Outcome == CheckOutcome.Fail, $"{check} is {failed.Outcome}: {failed.Detail}");
    }

    [Fact]
    public void Every_bug_is_covered_by_the_table()
    {
        EmulatedDriverBugs[] covered = Bugs().Select(row => (EmulatedDriverBugs)row[0]).ToArray();

        Assert.Equal(Enum.GetValues<EmulatedDriverBugs>().Where(b => b != EmulatedDriverBugs.None).Order(), covered.Order());
    }

    [Fact]
    public void A_device_that_accepts_garbage_is_also_caught_with_a_truncated_stream()
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: true, bugs: EmulatedDriverBugs.ResumingAcceptsGarbage);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.Equal(CheckOutcome.Fail, report[ConformanceChecks.ResumingRejectsTruncated].Outcome);
        Assert.Contains("foreign state", report[ConformanceChecks.ResumingRejectsGarbage].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_that_never_ends_its_data_is_still_left_running()
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: false, bugs: EmulatedDriverBugs.EndlessStopCopyData);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.Contains("no end of stream", report[ConformanceChecks.StopCopyEof].Detail, StringComparison.Ordinal);
        Assert.Equal(MigrationState.Running, device.Vfio.CurrentMigrationState);
    }
}
