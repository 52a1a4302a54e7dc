using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Tests.Emulation;
using Vfio.Migration;

namespace Vfio.Tests.Migration;

public sealed class MigrationDriverTests
{
    private const MigrationFeatures All = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

    public static TheoryData<MigrationProtocolKind, MigrationFeatures, bool> Protocols() => new()
    {
        { MigrationProtocolKind.V2Feature, MigrationFeatures.StopCopy, false },
        { MigrationProtocolKind.V2Feature, MigrationFeatures.StopCopy | MigrationFeatures.P2P, false },
        { MigrationProtocolKind.V2Feature, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, true },
        { MigrationProtocolKind.V2Feature, All, true },
        { MigrationProtocolKind.V2Feature, All, false },
        { MigrationProtocolKind.V1Region, MigrationFeatures.StopCopy, false },
        { MigrationProtocolKind.V1Region, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, true },
        { MigrationProtocolKind.V1Region, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, false },
        { MigrationProtocolKind.V1Region, All, true },
    };

    private static EmulatedVfioDevice Device(string name, ByteArrayBackend backend, MigrationProtocolKind protocol, int dataSection = 1024) =>
        new(name, backend, new EmulatedDeviceOptions { Protocol = protocol, V1DataSectionSize = dataSection });

    [Theory]
    [MemberData(nameof(Protocols))]
    public void SaveFromOneDevice_LoadIntoAnother_DeviceStateIsEqual(MigrationProtocolKind protocol, MigrationFeatures features, bool preCopy)
    {
        // 10000 bytes through a 1024-byte v1 data section: the region protocol must work in pieces.
        var srcBackend = ByteArrayBackend.Filled(10_000, features, seed: 1);
        var dstBackend = new ByteArrayBackend(10_000, features);
        using var src = Device("src", srcBackend, protocol);
        using var dst = Device("dst", dstBackend, protocol);
        MigrationDriver source = MigrationDriver.Open(src);
        MigrationDriver destination = MigrationDriver.Open(dst);

        // With pre-copy the guest writes after the pre-copy data is out: only the final record carries the change.
        void Guest() => srcBackend.Poke(1234, 0xAB);
        if (!preCopy)
        {
            Guest();
        }
        byte[] data = Transfer.Save(source, preCopy, whilePreCopy: Guest);
        Transfer.Load(destination, data);

        Assert.Equal(protocol, source.Protocol);
        Assert.Equal(0xAB, srcBackend.Memory[1234]);
        Assert.Equal(srcBackend.Memory, dstBackend.Memory);
        Assert.Equal(MigrationState.Running, destination.GetState());
        Assert.Equal(MigrationState.StopCopy, source.GetState());
    }

    [Fact]
    public void V1_OneLargeWrite_ReachesTheDeviceInPiecesBoundedByTheDataSection()
    {
        var srcBackend = ByteArrayBackend.Filled(5000, MigrationFeatures.StopCopy, seed: 5);
        var dstBackend = new ByteArrayBackend(5000, MigrationFeatures.StopCopy);
        using var src = Device("src", srcBackend, MigrationProtocolKind.V1Region, dataSection: 1024);
        using var dst = Device("dst", dstBackend, MigrationProtocolKind.V1Region, dataSection: 1024);
        byte[] data = Transfer.Save(MigrationDriver.Open(src), preCopy: false);

        Transfer.Load(MigrationDriver.Open(dst), data, writeSize: data.Length);

        Assert.All(dstBackend.WriteSizes, n => Assert.InRange(n, 1, 1024));
        Assert.Equal(data.Length, dstBackend.WriteSizes.Sum());
        Assert.Equal(srcBackend.Memory, dstBackend.Memory);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void PreCopy_TemporaryEndOfStream_IsMinusOne_AndStopCopyDataFollows(MigrationProtocolKind protocol)
    {
        var backend = ByteArrayBackend.Filled(300, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, seed: 2);
        using var dev = Device("src", backend, protocol);
        MigrationDriver driver = MigrationDriver.Open(dev);

        using MigrationDataStream stream = driver.TransitionTo(MigrationState.PreCopy)!;
        byte[] initial = Transfer.Drain(stream, stopAtNothingNow: true);
        int nothingNow = stream.TryRead(new byte[64]);
        int readAfterNothing = stream.Read(new byte[64]);
        driver.TransitionTo(MigrationState.StopCopy);
        byte[] final = Transfer.Drain(stream, stopAtNothingNow: false);

        Assert.Equal(-1, nothingNow);
        Assert.Equal(0, readAfterNothing);
        Assert.Equal(300 + 9, initial.Length);
        Assert.Equal(300 + 9, final.Length);
        Assert.Equal(0, stream.TryRead(new byte[64]));
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void PrecopyInfo_ShrinksAsInitialDataIsRead(MigrationProtocolKind protocol)
    {
        var backend = ByteArrayBackend.Filled(500, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, seed: 3);
        using var dev = Device("src", backend, protocol);
        MigrationDriver driver = MigrationDriver.Open(dev);

        using MigrationDataStream stream = driver.TransitionTo(MigrationState.PreCopy)!;
        PrecopyInfo before = stream.GetPrecopyInfo();
        Transfer.Drain(stream, stopAtNothingNow: true);
        PrecopyInfo after = stream.GetPrecopyInfo();

        Assert.True(before.InitialBytes > 0);
        Assert.Equal(0UL, after.InitialBytes);
    }

    [Fact]
    public void PrecopyInfo_OutsidePreCopy_IsFeatureUnsupported()
    {
        var backend = ByteArrayBackend.Filled(50, All, seed: 3);
        using var dev = Device("src", backend, MigrationProtocolKind.V2Feature);
        MigrationDriver driver = MigrationDriver.Open(dev);
        using MigrationDataStream stream = driver.TransitionTo(MigrationState.StopCopy)!;

        VfioException ex = Assert.Throws<VfioException>(() => stream.GetPrecopyInfo());

        Assert.Equal(ErrorCode.FeatureUnsupported, ex.Code);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void StopCopySizeEstimate_IsTheDevicesOwn(MigrationProtocolKind protocol)
    {
        var backend = ByteArrayBackend.Filled(700, MigrationFeatures.StopCopy, seed: 4);
        using var dev = Device("src", backend, protocol, dataSection: 4096);
        MigrationDriver driver = MigrationDriver.Open(dev);
        using MigrationDataStream? stream = driver.TransitionTo(MigrationState.StopCopy);

        // v2 asks MIG_DATA_SIZE; v1 reads pending_bytes, which here is the staged piece: the whole 709-byte record.
        Assert.Equal(709UL, driver.GetStopCopySizeEstimate());
    }

    [Fact]
    public void V1_StopCopySizeEstimate_OutsideSaving_IsFeatureUnsupported()
    {
        using var dev = Device("src", new ByteArrayBackend(10, MigrationFeatures.StopCopy), MigrationProtocolKind.V1Region);
        MigrationDriver driver = MigrationDriver.Open(dev);

        VfioException ex = Assert.Throws<VfioException>(() => driver.GetStopCopySizeEstimate());

        Assert.Equal(ErrorCode.FeatureUnsupported, ex.Code);
        Assert.Equal("src", ex.Device);
    }

    [Fact]
    public void V2_CombinationArc_IsSentOneDirectArcAtATime_AlongTheKernelPath()
    {
        var backend = new ByteArrayBackend(10, All);
        using var dev = Device("src", backend, MigrationProtocolKind.V2Feature);

        MigrationDriver.Open(dev).TransitionTo(MigrationState.StopCopy)?.Dispose();

        // vfio.h combination list: RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY.
        Assert.Equal(
            [new(MigrationState.Running, MigrationState.RunningP2P), new(MigrationState.RunningP2P, MigrationState.Stop), new StateArc(MigrationState.Stop, MigrationState.StopCopy)],
            backend.Arcs);
    }

    [Fact]
    public void V1_RunningToStopCopy_WritesStopThenSaving()
    {
        var backend = new ByteArrayBackend(10, MigrationFeatures.StopCopy);
        using var dev = Device("src", backend, MigrationProtocolKind.V1Region);

        using MigrationDataStream? stream = MigrationDriver.Open(dev).TransitionTo(MigrationState.StopCopy);

        Assert.NotNull(stream);
        Assert.Equal([new(MigrationState.Running, MigrationState.Stop), new StateArc(MigrationState.Stop, MigrationState.StopCopy)], backend.Arcs);
    }

    [Fact]
    public void Open_PicksV2_WhenDeviceReportsStopCopy()
    {
        using var dev = Device("d", new ByteArrayBackend(10, All), MigrationProtocolKind.V2Feature);

        MigrationDriver driver = MigrationDriver.Open(dev);

        Assert.Equal(MigrationProtocolKind.V2Feature, driver.Protocol);
        Assert.Equal(All, driver.Features);
    }

    [Fact]
    public void Open_PicksV1_ByTheRegionTypeCapability()
    {
        using var dev = Device("d", new ByteArrayBackend(10, All), MigrationProtocolKind.V1Region);

        MigrationDriver driver = MigrationDriver.Open(dev);

        Assert.Equal(MigrationProtocolKind.V1Region, driver.Protocol);
        Assert.Equal(MigrationFeatures.StopCopy | MigrationFeatures.PreCopy, driver.Features);
    }

    [Fact]
    public void Open_DeviceWithNeitherProtocol_IsMigrationUnsupported()
    {
        var device = new Moq.Mock<IVfioDevice>(Moq.MockBehavior.Strict);
        device.SetupGet(d => d.Name).Returns("0000:00:03.0");
        device.Setup(d => d.GetMigrationFeatures()).Returns(MigrationFeatures.None);
        device.Setup(d => d.GetInfo()).Returns(new VfioDeviceInfo(VfioDeviceFlags.Pci, 1, 0));
        device.Setup(d => d.GetRegionInfo(0)).Returns(new VfioRegionInfo(0, VfioRegionFlags.Read, 4096, 0, []));

        VfioException ex = Assert.Throws<VfioException>(() => MigrationDriver.Open(device.Object));

        Assert.Equal(ErrorCode.MigrationUnsupported, ex.Code);
        Assert.Equal("0000:00:03.0", ex.Device);
    }
}
