using Vfio.Devices;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

public sealed class MigratableDeviceStateMachineTests
{
    private const MigrationFeatures StopCopyOnly = MigrationFeatures.StopCopy;
    private const MigrationFeatures All = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

    [Theory]
    [InlineData(StopCopyOnly, MigrationState.Running, MigrationState.StopCopy)]   // a combination arc, not direct
    [InlineData(StopCopyOnly, MigrationState.Running, MigrationState.Resuming)]
    [InlineData(StopCopyOnly, MigrationState.Running, MigrationState.PreCopy)]    // no PRE_COPY feature
    [InlineData(StopCopyOnly, MigrationState.Running, MigrationState.RunningP2P)] // no P2P feature
    [InlineData(StopCopyOnly, MigrationState.Running, MigrationState.Error)]      // ERROR is never asked for
    [InlineData(All, MigrationState.Running, MigrationState.StopCopy)]
    [InlineData(All, MigrationState.Running, MigrationState.Resuming)]
    [InlineData(All, MigrationState.Running, MigrationState.PreCopyP2P)]
    public void IllegalArcs_AreRefusedNamingDeviceFromAndTo(MigrationFeatures features, MigrationState from, MigrationState to)
    {
        using var nic = new TestNic("nic-0", TestNic.V3, features);
        Assert.Equal(from, ((IMigrationBackend)nic).State);

        var e = Assert.Throws<VfioException>(() => ((IMigrationBackend)nic).Step(to));

        Assert.Equal(ErrorCode.IllegalStateArc, e.Code);
        Assert.Equal("nic-0", e.Device);
        Assert.Contains("nic-0", e.Message);
        Assert.Contains($"{from} -> {to}", e.Message);
        Assert.Equal(from, ((IMigrationBackend)nic).State);
        Assert.Empty(nic.Hooks);
    }

    [Fact]
    public void WithP2P_TheArcsOfTheViewWithoutP2P_AreAccepted()
    {
        // The emulated v1 region has no P2P states and drives RUNNING -> STOP and PRE_COPY -> STOP_COPY directly.
        using var nic = new TestNic("nic-0", TestNic.V3, All);
        ((IMigrationBackend)nic).Step(MigrationState.PreCopy);
        ((IMigrationBackend)nic).Step(MigrationState.StopCopy);
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
        ((IMigrationBackend)nic).Step(MigrationState.Running);
        Assert.Equal(MigrationState.Running, ((IMigrationBackend)nic).State);
    }

    [Fact]
    public void StopCopyFromResuming_IsRefused()
    {
        using var nic = new TestNic("nic-0", TestNic.V3, StopCopyOnly);
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
        ((IMigrationBackend)nic).Step(MigrationState.Resuming);

        Assert.Equal(ErrorCode.IllegalStateArc, Assert.Throws<VfioException>(() => ((IMigrationBackend)nic).Step(MigrationState.StopCopy)).Code);
        Assert.Equal(MigrationState.Resuming, ((IMigrationBackend)nic).State);
    }

    [Fact]
    public void Hooks_RunWhenExecutionStartsOrStops_AndOnlyThen()
    {
        using var nic = new TestNic("nic-0", TestNic.V3, All);
        foreach (MigrationState s in new[] { MigrationState.RunningP2P, MigrationState.PreCopyP2P, MigrationState.StopCopy, MigrationState.Stop, MigrationState.RunningP2P, MigrationState.Running })
        {
            ((IMigrationBackend)nic).Step(s);
        }

        Assert.Equal(["stopped", "running"], nic.Hooks);
    }

    [Fact]
    public void FailingHook_IsDeviceRefusedState_AndTheStateStays()
    {
        using var nic = new TestNic("nic-0", TestNic.V3, StopCopyOnly) { FailOnStop = new IOException("queue did not drain") };

        var e = Assert.Throws<VfioException>(() => ((IMigrationBackend)nic).Step(MigrationState.Stop));

        Assert.Equal(ErrorCode.DeviceRefusedState, e.Code);
        Assert.Contains("queue did not drain", e.Message);
        Assert.Equal(MigrationState.Running, ((IMigrationBackend)nic).State);
    }

    [Fact]
    public void ReadData_OutsideASavingState_IsRefused()
    {
        using var nic = new TestNic("nic-0", TestNic.V3, StopCopyOnly);
        Assert.Equal(ErrorCode.DeviceRefusedState, Assert.Throws<VfioException>(() => ((IMigrationBackend)nic).ReadData(new byte[16])).Code);
        Assert.Equal(ErrorCode.DeviceRefusedState, Assert.Throws<VfioException>(() => ((IMigrationBackend)nic).WriteData(new byte[16])).Code);
    }

    [Fact]
    public void Constructor_RequiresStopCopy()
        => Assert.Throws<ArgumentException>(() => new TestNic("nic-0", TestNic.V3, MigrationFeatures.PreCopy));
}
