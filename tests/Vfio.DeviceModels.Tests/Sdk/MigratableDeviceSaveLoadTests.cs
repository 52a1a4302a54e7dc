using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

public sealed class MigratableDeviceSaveLoadTests
{
    private const MigrationFeatures PreCopy = MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;

    private static byte[] SaveStopped(TestNic nic)
    {
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
        ((IMigrationBackend)nic).Step(MigrationState.StopCopy);
        byte[] state = nic.ReadAll(piece: 333);
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
        return state;
    }

    private static void Load(TestNic nic, byte[] state, int piece = 7)
    {
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
        ((IMigrationBackend)nic).Step(MigrationState.Resuming);
        for (int i = 0; i < state.Length; i += piece)
        {
            ((IMigrationBackend)nic).WriteData(state.AsSpan(i, Math.Min(piece, state.Length - i)));
        }
        ((IMigrationBackend)nic).Step(MigrationState.Stop);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public void SaveThenLoad_InPiecesOfAnySize_CarriesEveryField(int piece)
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy);
        source.Fill(seed: 1);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy);

        Load(destination, SaveStopped(source), piece);

        destination.AssertSameState(source);
        Assert.Equal(12ul, destination.DroppedCounter);
        Assert.Equal(MigrationState.Stop, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void Save_ProducesOneSectionAtATime()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy, rings: 4, ringSize: 10_000);
        ((IMigrationBackend)source).Step(MigrationState.Stop);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] piece = new byte[64];

        // Reading the first 64 bytes saved the first ring only, not the whole device.
        Assert.Equal(64, ((IMigrationBackend)source).ReadData(piece));
        Assert.Equal(["ring0"], source.SectionSaves.Keys);
        Assert.Equal(0, source.CoreSaves);
    }

    [Fact]
    public void PreCopy_SendsUnchangedSectionsOnce_AndResendsOnlyDirtyOnes()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(seed: 2);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        PrecopyInfo before = ((IMigrationBackend)source).GetPrecopyInfo();

        byte[] initial = source.ReadAll();                       // until "nothing now" (-1)
        PrecopyInfo afterInitial = ((IMigrationBackend)source).GetPrecopyInfo();
        source.Receive(ring: 1, offset: 5, value: 0xEE);          // the device keeps running
        PrecopyInfo afterDirty = ((IMigrationBackend)source).GetPrecopyInfo();
        byte[] dirty = source.ReadAll();
        source.Receive(ring: 2, offset: 9, value: 0xDD);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] final = source.ReadAll();
        ((IMigrationBackend)source).Step(MigrationState.Stop);

        Assert.Equal(new Dictionary<string, int> { ["ring0"] = 1, ["ring1"] = 2, ["ring2"] = 2 }, source.SectionSaves);
        Assert.Equal(1, source.CoreSaves);
        Assert.Equal(new PrecopyInfo(12, 0), before);            // only the preamble is known before the first save
        Assert.Equal(new PrecopyInfo(0, 0), afterInitial);
        Assert.True(afterDirty.DirtyBytes > 1000, $"dirty {afterDirty.DirtyBytes}");
        Assert.True(dirty.Length < initial.Length / 2, $"dirty pass {dirty.Length} bytes vs initial {initial.Length}");

        using var destination = new TestNic("dst", TestNic.V3, PreCopy);
        Load(destination, [.. initial, .. dirty, .. final]);
        destination.AssertSameState(source);
        Assert.Equal(0xEE, destination.Rings[1][5]);
        Assert.Equal(0xDD, destination.Rings[2][9]);
    }

    [Fact]
    public void EarlyLoad_LoadsEachSectionWhileResuming_AndTheLastCopyWins()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(seed: 8);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        byte[] initial = source.ReadAll();
        byte firstCopy = source.Rings[1][5];
        source.Receive(ring: 1, offset: 5, value: (byte)(firstCopy ^ 0xFF));
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] final = source.ReadAll();
        using var destination = new TestNic("dst", TestNic.V3, PreCopy) { EarlyLoad = true };
        ((IMigrationBackend)destination).Step(MigrationState.Stop);
        ((IMigrationBackend)destination).Step(MigrationState.Resuming);

        ((IMigrationBackend)destination).WriteData(initial);
        Assert.Equal(source.Rings[0], destination.Rings[0]);        // loaded before the state is complete
        Assert.Equal(firstCopy, destination.Rings[1][5]);
        ((IMigrationBackend)destination).WriteData(final);
        ((IMigrationBackend)destination).Step(MigrationState.Stop);

        destination.AssertSameState(source);
        Assert.Equal((byte)(firstCopy ^ 0xFF), destination.Rings[1][5]);
    }

    [Fact]
    public void EarlyLoad_SectionThatNeverArrives_IsMalformed()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy, rings: 2);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy, rings: 3) { EarlyLoad = true };

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, SaveStopped(source)));

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal("ring2", e.Field);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void EarlyLoad_FailingSectionLoad_FailsTheWriteAndEntersError()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy, ringSize: 200);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy, ringSize: 100) { EarlyLoad = true };

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, SaveStopped(source)));

        Assert.Equal(ErrorCode.DeviceStateLoadFailed, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void PreCopy_WithNothingDirty_ReportsNothingAvailable()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        source.ReadAll();

        Assert.Equal(-1, ((IMigrationBackend)source).ReadData(new byte[100]));
        Assert.Equal(1, source.SectionSaves["ring0"]);
    }

    [Fact]
    public void LeavingPreCopyForRunning_EndsTheSession_AndTheNextSaveStartsOver()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(3);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        source.ReadAll();
        ((IMigrationBackend)source).Step(MigrationState.Running);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] full = source.ReadAll();

        using var destination = new TestNic("dst", TestNic.V3, PreCopy);
        Load(destination, full);
        destination.AssertSameState(source);
    }

    [Fact]
    public void UnknownRequiredField_LeavesTheDestinationInError_NamingDeviceAndField()
    {
        using var newer = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy) { WriteNewRequiredField = true };
        using var older = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy);

        var e = Assert.Throws<DeviceStateException>(() => Load(older, SaveStopped(newer)));

        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, e.Code);
        Assert.Equal("dst", e.Device);
        Assert.Equal("offload", e.Field);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)older).State);
        Assert.Equal(ErrorCode.DeviceInErrorState, Assert.Throws<VfioException>(() => ((IMigrationBackend)older).Step(MigrationState.Running)).Code);

        ((IMigrationBackend)older).Reset();
        Assert.Equal(MigrationState.Running, ((IMigrationBackend)older).State);
    }

    [Fact]
    public void UnknownOptionalField_IsSkipped()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy);
        source.Fill(4);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy) { ReadsOptionalCounter = false };

        Load(destination, SaveStopped(source));

        destination.AssertSameState(source);
        Assert.Equal(0ul, destination.DroppedCounter);
    }

    [Fact]
    public void LoadCodeFailure_IsDeviceStateLoadFailed()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy, ringSize: 100);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy, ringSize: 200);

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, SaveStopped(source)));

        Assert.Equal(ErrorCode.DeviceStateLoadFailed, e.Code);
        Assert.Contains("dst", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void TruncatedState_FailsOnTheArcOutOfResuming()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy);
        byte[] state = SaveStopped(source);
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy);

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, state[..^1]));

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void GarbageWrittenIntoResuming_FailsAtOnceAndEntersError()
    {
        using var destination = new TestNic("dst", TestNic.V3, MigrationFeatures.StopCopy);
        ((IMigrationBackend)destination).Step(MigrationState.Stop);
        ((IMigrationBackend)destination).Step(MigrationState.Resuming);

        var e = Assert.Throws<DeviceStateException>(() => ((IMigrationBackend)destination).WriteData("VFIOMIG1 is the envelope, not the state"u8));

        Assert.Equal(ErrorCode.DeviceStateMalformed, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void ExportSchema_ListsSectionsAndCoreFields()
    {
        using var nic = new TestNic("nic", TestNic.V3, MigrationFeatures.StopCopy, rings: 2) { WriteNewRequiredField = true };
        DeviceStateSchema schema = nic.ExportSchema();

        Assert.Equal("vendor-a.com/my-nic", schema.ModelId);
        Assert.Equal(
            ["ring0", "ring0/data", "ring1", "ring1/data", "rx-head", "label", "mac", "rss", "rx-dropped", "offload", "offload/tso-segments"],
            schema.Fields.Select(f => f.Path));
        Assert.Equal("3", schema.Fields.Single(f => f.Path == "rss").Since);
        Assert.False(schema.Fields.Single(f => f.Path == "rx-dropped").Required);
    }

    [Fact]
    public void StopCopySize_EstimatesTheSavedBytes()
    {
        using var source = new TestNic("src", TestNic.V3, MigrationFeatures.StopCopy);
        ((IMigrationBackend)source).Step(MigrationState.Stop);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        int actual = source.ReadAll().Length;
        ((IMigrationBackend)source).Step(MigrationState.Stop);

        // After one save the estimate is the last save's size.
        Assert.Equal((ulong)actual, ((IMigrationBackend)source).GetStopCopySize());
    }
}
